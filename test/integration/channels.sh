#!/bin/sh
# Channels (VSC/VSP): the console and block VSC guests on QEMU (SVM) and Bochs (VMX), the block
# guest's CRC-32 against the disk image's, and the measurement of 64 KiB of console output through
# the channel versus the emulated UART (exits per KiB, their ratio: at least 100; wall times) and
# the block device's sectors per second, in one QEMU run.
. "$(dirname "$0")/lib.sh"

g=$build/guests
for guest in vsc_console vsc_block uart_flood vsc_flood; do
	[ -f "$g/$guest.elf" ] || fail "$g/$guest.elf is missing (make guests)"
done
[ "$failures" = 0 ] || finish

CHANNEL_MACHINES=${CHANNEL_MACHINES:-"qemu:qemu64,+svm,+npt bochs:corei7_skylake_x"}
MIN_RATIO=${MIN_RATIO:-100}

# The disk: 64 KiB of deterministic bytes (a small LCG, exact in any awk; no NUL, which not every
# awk can print). Its CRC-32 comes from gzip's trailer: an implementation independent of the guest's.
disk=$scratch/disk.img
LC_ALL=C awk 'BEGIN { x = 1; for (i = 0; i < 65536; i++) { x = (x * 75 + 74) % 65537; printf "%c", 1 + x % 255 } }' >"$disk"
[ "$(wc -c <"$disk")" -eq 65536 ] || fail "the disk image is not 64 KiB"
host_crc=$(gzip -c "$disk" | tail -c 8 | od -An -tx4 -N4 | tr -d ' \n')
echo "channels: disk image $disk: 65536 bytes, crc32 $host_crc"

# ---- (a) the VSC guests on both vendors ----
iso=$scratch/channels.iso
"$top/scripts/mkiso.sh" "$iso" "$build/monitor.elf" \
	"$g/vsc_console.elf:name=vsc_console mem=8M" \
	"$g/vsc_block.elf:name=vsc_block mem=8M" \
	"$disk:name=disk kind=block for=vsc_block" || fail "mkiso channels"

for machine in $CHANNEL_MACHINES; do
	log=$scratch/$(echo "$machine" | tr ':,+' '___').log
	boot_on "$machine" "$iso" "$log"
	expect_verdict "$log" success
	expect "$log" '^\[vsc_console\] vsc_console: Hyper-V, hypercall page and SynIC \(SINT2 polled\) set up: PASS'
	expect "$log" '^\[vsc_console\] vsc_console: greeting received at open: PASS' \
		"$machine: the console VSP's greeting"
	# Sent only through the channel: the monitor printed them with the partition's prefix.
	expect "$log" '^\[vsc_console\] vsc_console: line 1 through the console channel$' \
		"$machine: channel text on the monitor console with the partition's prefix"
	expect "$log" '^\[vsc_console\] vsc_console: line 3, with a tab.*and the end of the test text$'
	expect "$log" '^\[vsc_console\] vsc_console: GPADL with a page outside guest RAM refused: PASS'
	expect "$log" '^\[vsc_console\] vsc_console: second open of the same channel refused: PASS'
	expect "$log" '^\[vsc_console\] vsc_console: still writing after the refused second open$'
	expect "$log" '^\[vsc_console\] vsc_console: corrupt ring: channel rescinded: PASS' \
		"$machine: a corrupt ring closes the channel"
	expect "$log" '^monitor: partition vsc_console: channel [0-9]+ \(console\): .*closed' \
		"$machine: the monitor logs why it closed the channel"
	expect "$log" '^\[vsc_console\] vsc_console: the partition runs on after the rescind$'
	expect "$log" '^\[vsc_console\] vsc_console: PASS' "$machine: the console VSC guest"
	expect "$log" '^monitor: partition vsc_console exited with status 1$'

	expect "$log" '^\[vsc_block\] vsc_block: every sector read: PASS' "$machine: the block device read"
	expect "$log" '^\[vsc_block\] vsc_block: 8 sectors written and read back: PASS'
	expect "$log" '^\[vsc_block\] vsc_block: read past the end: OUT_OF_RANGE: PASS'
	expect "$log" '^\[vsc_block\] vsc_block: unknown op: BAD_REQUEST: PASS'
	expect "$log" '^\[vsc_block\] vsc_block: PASS' "$machine: the block VSC guest"
	expect "$log" '^monitor: partition vsc_block exited with status 1$'
	guest_crc=$(sed -n 's/^\[vsc_block\] vsc_block: read [0-9]* sectors (65536 bytes), crc32 \([0-9a-f]*\)$/\1/p' "$log.monitor")
	if [ "$guest_crc" = "$host_crc" ]; then
		echo "channels: $machine: the block guest read crc32 $guest_crc, the module's is $host_crc"
	else
		fail "$machine: the block guest's crc32 '${guest_crc:-none}' is not the module's $host_crc"
	fi
	expect "$log" '^monitor: all partitions ended as expected' "$machine: the verdict"
done

# ---- (b) the measurement: UART versus channel, side by side in one QEMU run ----

# exits_of LOG NAME: the partition's total exits from the summary ("N entries, N exits, ...").
exits_of() {
	awk -v name="$2" '
		index($0, "monitor:   " name ": ") == 1 { found = 1; next }
		found && / exits, / { for (i = 2; i <= NF; i++) if ($i == "exits,") { print $(i - 1); exit } }
	' "$1.monitor"
}

# cpu_ms_of LOG NAME: the partition's CPU time in ms from the summary.
cpu_ms_of() {
	awk -v name="$2" '
		index($0, "monitor:   " name ": ") == 1 { found = 1; next }
		found && /CPU time / { for (i = 1; i <= NF; i++) if ($i == "time") { print $(i + 1); exit } }
	' "$1.monitor"
}

# cycles_of LOG NAME: the TSC cycles the guest printed for its 64 KiB.
cycles_of() {
	sed -n "s/^\[$2\] $2: 65536 bytes in \([0-9]*\) TSC cycles.*/\1/p" "$1.monitor" | head -n1
}

bench_iso=$scratch/bench.iso
"$top/scripts/mkiso.sh" "$bench_iso" "$build/monitor.elf" \
	"$g/uart_flood.elf:name=uart_flood mem=4M" \
	"$g/vsc_flood.elf:name=vsc_flood mem=4M" \
	"$g/vsc_block.elf:name=vsc_block mem=8M" \
	"$disk:name=disk kind=block for=vsc_block" || fail "mkiso bench"
log=$scratch/bench.log
QEMU_TIMEOUT=${QEMU_TIMEOUT:-120} boot_on "qemu:qemu64,+svm,+npt" "$bench_iso" "$log"
expect_verdict "$log" success
expect "$log" '^\[uart_flood\] uart_flood: PASS'
expect "$log" '^\[vsc_flood\] vsc_flood: PASS'
expect "$log" '^\[vsc_block\] vsc_block: PASS'
# Every line of both floods reached the monitor console, whichever way it went.
for name in uart_flood vsc_flood; do
	lines=$(grep -Ec "^\[$name\] $name [0-9]{5}:[a-z]+$" "$log.monitor")
	[ "$lines" = 1024 ] || fail "$name: $lines of 1024 lines on the monitor console (log: $log)"
done

mhz=$(sed -n 's/^monitor: TSC measured at \([0-9.]*\) MHz.*/\1/p' "$log.monitor" | head -n1)
uart_exits=$(exits_of "$log" uart_flood)
vsc_exits=$(exits_of "$log" vsc_flood)
uart_cycles=$(cycles_of "$log" uart_flood)
vsc_cycles=$(cycles_of "$log" vsc_flood)
if [ -z "$uart_exits" ] || [ -z "$vsc_exits" ] || [ -z "$uart_cycles" ] || [ -z "$vsc_cycles" ] ||
	[ -z "$mhz" ]; then
	fail "the measurement is incomplete (exits '$uart_exits' '$vsc_exits', cycles '$uart_cycles' '$vsc_cycles', TSC '$mhz' MHz; log: $log)"
else
	report=$(awk -v ue="$uart_exits" -v ve="$vsc_exits" -v uc="$uart_cycles" -v vc="$vsc_cycles" \
		-v mhz="$mhz" -v ucpu="$(cpu_ms_of "$log" uart_flood)" -v vcpu="$(cpu_ms_of "$log" vsc_flood)" '
		BEGIN {
			uk = ue / 64; vk = ve / 64
			printf "channels: 64 KiB of console output, one QEMU run (TSC %s MHz):\n", mhz
			printf "channels:   emulated UART: %d exits, %.1f exits/KiB, %.1f ms wall (guest TSC), %s ms CPU\n", ue, uk, uc / mhz / 1000, ucpu
			printf "channels:   VSC channel:   %d exits, %.2f exits/KiB, %.1f ms wall (guest TSC), %s ms CPU\n", ve, vk, vc / mhz / 1000, vcpu
			printf "channels:   exits per KiB, UART / channel: %.0fx fewer through the channel\n", uk / vk
			printf "ratio=%d\n", uk / vk
		}')
	echo "$report" | grep -v '^ratio='
	echo "$report" | grep -v '^ratio=' >"$scratch/bench.txt"
	ratio=$(echo "$report" | sed -n 's/^ratio=//p')
	[ "$ratio" -ge "$MIN_RATIO" ] ||
		fail "the channel needs ${ratio}x fewer exits per KiB than the UART; the target is ${MIN_RATIO}x"
fi
rate=$(sed -n 's/^\[vsc_block\] vsc_block: \([0-9]*\) sectors in \([0-9]*\) TSC cycles.*/\1 \2/p' "$log.monitor" | head -n1)
if [ -n "$rate" ] && [ -n "$mhz" ]; then
	echo "$rate" | awk -v mhz="$mhz" '{ printf "channels:   block device: %d sectors read in %.2f ms: %.0f sectors/s (guest TSC, side by side with the floods)\n", $1, $2 / mhz / 1000, $1 / ($2 / mhz / 1e6) }' |
		tee -a "$scratch/bench.txt"
else
	fail "no block read rate in the log ($log)"
fi
# The monitor's channel counters for each partition, as the summary prints them.
grep -E '^monitor: +(channels|vmbus|.*signal\(s\) in)' "$log.monitor" | sed 's/^/channels:   /' || :
finish
