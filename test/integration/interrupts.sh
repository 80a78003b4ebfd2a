#!/bin/sh
# Interrupts, timers and partitions side by side: the timer and uart_irq guests, and three
# partitions at once (two spinners, one sleeper whose 100 Hz tick must stay within one time slice
# plus a margin), as children on QEMU (SVM) and Bochs (VMX, SVM). The same guests also run with
# no monitor at all, as the reference: under QEMU -kernel and under bare Bochs (GRUB, multiboot v1).
. "$(dirname "$0")/lib.sh"

mb=$build/mbguests
for g in timer uart_irq spinner sleeper; do
	[ -f "$mb/$g.elf" ] || fail "$mb/$g.elf is missing (make mbguests)"
done
[ "$failures" = 0 ] || finish

# The monitor's time slice (SCHED_SLICE_NS, docs/scheduling.md) and the margin on top of it that
# each emulator's own timing needs. Bochs runs on emulated time (clock: sync=none): its margin is
# tight and it is the reference for the bound. QEMU's TCG runs on the host's clock, so a busy host
# adds its own lateness (10 ms seen with a bare sleeper on a loaded 2-core machine).
SLICE_US=${SLICE_US:-10000}
BOCHS_MARGIN_US=${BOCHS_MARGIN_US:-5000}
QEMU_MARGIN_US=${QEMU_MARGIN_US:-15000}
IRQ_MACHINES=${IRQ_MACHINES:-"qemu:qemu64,+svm,+npt bochs:corei7_skylake_x bochs:ryzen"}
SPIN_MS=1500

# ---- the reference: no monitor ----

# direct_qemu NAME ELF ARGS: QEMU loads the kernel itself; log in $scratch/direct-NAME.log.
# -icount with sleep=off puts QEMU's clocks on the instruction count, as Bochs's are, and
# -rtc clock=vm puts the RTC on that clock too (its default is the host's): without them a busy
# host merges 1 kHz ticks and the reference measures the host, not the devices.
direct_qemu() {
	timeout -k 5 60 qemu-system-x86_64 -accel tcg -icount shift=3,sleep=off -rtc clock=vm -m 64M -nodefaults -display none -serial stdio \
		-no-reboot -kernel "$2" -append "$3" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		</dev/null >"$scratch/direct-$1.log" 2>&1
	direct_status=$?
	tr -d '\r' <"$scratch/direct-$1.log" >"$scratch/direct-$1.log.monitor"
	[ "$direct_status" = 1 ] ||
		fail "QEMU -kernel $1: exit status $direct_status, expected 1 (log: $scratch/direct-$1.log)"
}

# direct_bochs NAME ELF ARGS: GRUB boots the kernel with its multiboot v1 loader under bare Bochs
# (Bochs's own CPU model: TSC-deadline and x2APIC are there); the guest ends on Bochs's shutdown
# port (mbguest_exit). Log in $scratch/direct-bochs-NAME.log.
direct_bochs() {
	iso_dir=$scratch/iso-$1
	mkdir -p "$iso_dir/boot/grub"
	cp "$2" "$iso_dir/boot/kernel.elf"
	cat >"$iso_dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "$1" {
    multiboot /boot/kernel.elf $3
    boot
}
CFG
	grub-mkrescue -o "$scratch/direct-$1.iso" --locales="" --fonts="" --themes="" \
		--install-modules="multiboot normal serial terminal echo test configfile iso9660 part_msdos biosdisk" \
		"$iso_dir" >/dev/null 2>&1 || fail "grub-mkrescue for bare Bochs ($1)"
	log=$scratch/direct-bochs-$1.log
	BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-90} "$top/scripts/run-bochs.sh" "$scratch/direct-$1.iso" \
		corei7_skylake_x "$log.bochs" </dev/null >"$log.stderr" 2>&1
	[ "$?" = 124 ] && fail "bare Bochs $1: timed out (log: $log)"
	# GRUB's escape sequences come before the guest's first line.
	tr -d '\r' <"$log.bochs/com1.txt" 2>/dev/null | sed -n '/^multiboot v1\|^spinner:\|^sleeper:/,$p' \
		>"$log.monitor"
}

# Each reference run: the guest's own verdict line.
ref() {
	expect "$1" "$2" "$3"
}

direct_qemu timer "$mb/timer.elf" ""
ref "$scratch/direct-timer.log" '^timer: all checks passed' "QEMU -kernel: the timer guest"
direct_qemu uart_irq "$mb/uart_irq.elf" ""
ref "$scratch/direct-uart_irq.log" '^uart_irq: all checks passed' "QEMU -kernel: the uart_irq guest"
ref "$scratch/direct-uart_irq.log" '^uart_irq: this line went out one byte per THRE event$' \
	"QEMU -kernel: the line sent from the THRE handler"
direct_qemu spinner "$mb/spinner.elf" "irq=on ms=300"
ref "$scratch/direct-spinner.log" '^spinner: done, 3[0-9][0-9] ms' "QEMU -kernel: the spinner"
direct_qemu sleeper "$mb/sleeper.elf" "max_late_us=$BOCHS_MARGIN_US"
ref "$scratch/direct-sleeper.log" '^sleeper: all checks passed' "QEMU -kernel: the sleeper"

if [ "${DIRECT_BOCHS:-1}" = 1 ]; then
	direct_bochs timer "$mb/timer.elf" ""
	ref "$scratch/direct-bochs-timer.log" '^timer: all checks passed' "bare Bochs: the timer guest"
	direct_bochs uart_irq "$mb/uart_irq.elf" ""
	ref "$scratch/direct-bochs-uart_irq.log" '^uart_irq: all checks passed' "bare Bochs: the uart_irq guest"
	direct_bochs sleeper "$mb/sleeper.elf" "max_late_us=$BOCHS_MARGIN_US"
	ref "$scratch/direct-bochs-sleeper.log" '^sleeper: all checks passed' "bare Bochs: the sleeper"
fi

# ---- under the monitor ----

# One partition per ISO for the measuring guests: a second partition sharing the processor would
# take slices out of their measurements.
"$top/scripts/mkiso.sh" "$scratch/timer.iso" "$build/monitor.elf" \
	"$mb/timer.elf:name=timer mem=8M" || fail "mkiso timer"
"$top/scripts/mkiso.sh" "$scratch/uart_irq.iso" "$build/monitor.elf" \
	"$mb/uart_irq.elf:name=uart_irq mem=8M" || fail "mkiso uart_irq"
# The three partitions: the bound is the slice plus the emulator's margin, so one ISO per kind.
for kind in qemu bochs; do
	case $kind in
	qemu) bound=$((SLICE_US + QEMU_MARGIN_US)) ;;
	bochs) bound=$((SLICE_US + BOCHS_MARGIN_US)) ;;
	esac
	"$top/scripts/mkiso.sh" "$scratch/three-$kind.iso" "$build/monitor.elf" \
		"$mb/spinner.elf:name=spin_on mem=8M -- irq=on ms=$SPIN_MS" \
		"$mb/spinner.elf:name=spin_off mem=8M -- irq=off ms=$SPIN_MS" \
		"$mb/sleeper.elf:name=sleeper mem=8M -- hz=100 ticks=100 max_late_us=$bound" ||
		fail "mkiso three-$kind"
done

for machine in $IRQ_MACHINES; do
	tag=$(echo "$machine" | tr ':,+' '___')

	log=$scratch/timer-$tag.log
	boot_on "$machine" "$scratch/timer.iso" "$log"
	expect_verdict "$log" success
	expect "$log" '^\[timer\] timer: all checks passed' "$machine: the timer guest"
	expect "$log" '^monitor: partition timer exited with status 1$'

	log=$scratch/uart_irq-$tag.log
	boot_on "$machine" "$scratch/uart_irq.iso" "$log"
	expect_verdict "$log" success
	expect "$log" '^\[uart_irq\] uart_irq: this line went out one byte per THRE event$' \
		"$machine: the line sent from the THRE handler"
	expect "$log" '^\[uart_irq\] uart_irq: all checks passed' "$machine: the uart_irq guest"

	# Bochs 2.7's VMRUN loads the guest's RFLAGS before it marks the CPU as in a guest, so a
	# guest entered with IF clear has host interrupts masked (with V_INTR_MASKING only the
	# host's IF should count): the spinner with interrupts off keeps the CPU until its next
	# exit. QEMU's SVM stops it, so the three partitions run on QEMU (SVM) and Bochs's Intel
	# models (docs/testing.md).
	case $machine in
	bochs:ryzen | bochs:phenom* | bochs:zambezi | bochs:trinity*)
		echo "  $machine: three partitions skipped (Bochs 2.7 SVM: no host-interrupt exit while the guest's IF is clear)"
		continue
		;;
	esac
	log=$scratch/three-$tag.log
	boot_on "$machine" "$scratch/three-${machine%%:*}.iso" "$log"
	expect_verdict "$log" success
	expect "$log" '^\[spin_on\] spinner: done' "$machine: the spinner with interrupts on finished"
	expect "$log" '^\[spin_off\] spinner: done' "$machine: the spinner with interrupts off finished"
	expect "$log" '^\[sleeper\] sleeper: all checks passed' \
		"$machine: the sleeper's ticks within one slice plus the margin"
	# Side by side, not one after the other: the sleeper finishes while the spinners still spin.
	expect_order "$log" '^\[sleeper\] sleeper: max lateness' '^\[spin_o(n|ff)\] spinner: done'
	grep -h '^\[sleeper\] sleeper: max lateness' "$log.monitor" | sed "s/^/  $machine: /"
done
finish
