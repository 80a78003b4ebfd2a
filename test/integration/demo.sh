#!/bin/sh
# The demo ISO on every machine: the partitions run side by side, hostile guests are stopped,
# the others still run to their end.
# A guest that passes on one machine must pass on all (QEMU SVM, Bochs VMX and SVM models).
. "$(dirname "$0")/lib.sh"

# enlightened32's negative path: QEMU loads it directly (no libhv): no Hyper-V, exit value 2.
timeout -k 5 30 qemu-system-x86_64 -accel tcg -m 64M -nodefaults -display none -serial stdio \
	-no-reboot -kernel "$build/mbguests/enlightened32.elf" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$scratch/enlightened32-bare.log" 2>&1
st=$?
[ "$st" = 5 ] || fail "enlightened32 without a hypervisor: QEMU exit status $st, expected 5 (V=2)"
grep -q '^enlightened32: no Hyper-V present' "$scratch/enlightened32-bare.log" ||
	fail "enlightened32 without a hypervisor: no 'no Hyper-V present' line (log: $scratch/enlightened32-bare.log)"

for machine in $MACHINES; do
	log=$scratch/$(echo "$machine" | tr ':,+' '___').log
	boot_on "$machine" "$build/monitor.iso" "$log"
	# Without unrestricted guest (lynnfield) a multiboot kernel, which starts with paging off,
	# must be refused clearly; everything else must still pass.
	case $machine in
	*lynnfield*) verdict=failure ;;
	*) verdict=success ;;
	esac
	expect_verdict "$log" $verdict
	case $machine in
	*skylake*) expect "$log" '^monitor: backend vmx .*EPT yes, VPID yes, unrestricted guest yes' ;;
	*lynnfield*) expect "$log" '^monitor: backend vmx .*EPT yes, .*unrestricted guest no' ;;
	*ryzen*) expect "$log" '^monitor: backend svm .*NPT yes, NRIP save yes' ;;
	*phenom*) expect "$log" '^monitor: backend svm .*NPT yes, NRIP save no' ;;
	qemu:*) expect "$log" '^monitor: backend svm .*NPT yes' ;;
	esac
	expect "$log" '^monitor: TSC measured at [0-9]+\.[0-9]{3} MHz' "$machine: the TSC frequency in the banner"
	expect "$log" '^monitor: host timer: local APIC timer, (one-shot at [0-9]+\.[0-9]{3} MHz|TSC-deadline)$' \
		"$machine: the host timer's mode"
	expect "$log" '^monitor: time slice 10 ms$'
	# Every partition starts before any ends: they run side by side.
	expect_all_before "$log" '^monitor: starting partition ' '^monitor: partition [a-z_]+ (exited|stopped)'
	expect "$log" '^\[hello\] Hello from a libhv child partition' "$machine: hello's output"
	expect "$log" '^\[hello\] .*greetings from the module line' "$machine: hello's command line"
	expect "$log" '^monitor: partition hello exited with status 1$'
	expect "$log" '^monitor: partition triple_fault stopped: triple fault \(shutdown\) at RIP 0x'
	expect "$log" '^\[hypercall\] hypercall: PASS' "$machine: VMCALL/VMMCALL answered"
	expect "$log" '^monitor: partition hypercall exited with status 1$'
	# Side by side, the console interleaves: only what must hold whatever the timing is checked.
	# A stopped hostile guest does not stop the others: some partition exits after it.
	expect_order "$log" 'partition triple_fault stopped' '^monitor: partition [a-z_]+ exited with status'
	expect "$log" '^\[enlightened\] enlightened: Hypervisor detected: Microsoft Hyper-V'
	expect "$log" '^\[enlightened\] enlightened: root-only CreatePartition: PASS'
	expect "$log" '^\[enlightened\] enlightened: reference TSC page and TIME_REF_COUNT agree, never backwards: PASS'
	expect "$log" '^\[enlightened\] enlightened: SynIC message echoed back: PASS'
	expect "$log" '^\[enlightened\] enlightened: SynIC echo received \((polled the message slot|by interrupt)\)'
	expect "$log" '^\[enlightened\] enlightened: event flag set by the monitor: PASS'
	expect "$log" '^\[enlightened\] enlightened: SignalEvent to a message port: PASS'
	expect "$log" '^\[enlightened\] enlightened: PASS' "$machine: the enlightened guest's checks"
	expect "$log" '^monitor: partition enlightened exited with status 1$'
	expect "$log" '^monitor: partition wild_access: write at unclaimed MMIO 0xe0000000: dropped'
	expect "$log" '^\[wild_access\] wild_access: GPA 0xe0000000 reads 0xffffffff after a write: PASS'
	expect "$log" '^monitor: partition wild_access stopped: execute access to GPA 0xe0000000 \(no RAM there\) at RIP 0xe0000000'
	expect "$log" '^\[mmio\] mmio: [0-9]+ cases matched the processor, 0 did not' "$machine: MMIO emulation"
	expect "$log" '^\[mmio\] mmio: rep outsb reached COM1 through the emulator$' "$machine: string port I/O"
	expect "$log" '^\[mmio\] mmio: PASS'
	case $verdict in
	success)
		expect "$log" '^\[platform\] platform: all checks passed, 0 failure' "$machine: the multiboot v1 platform guest"
		expect "$log" '^monitor: partition platform exited with status 1$'
		expect "$log" 'ROM writes discarded=1$' "$machine: ROM writes trap and change nothing"
		expect "$log" '^\[enlightened32\] enlightened32: ENDBR64 executes as a NOP in 32-bit code: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: 2 reps completed \(EDX bits 11:0\): PASS'
		expect "$log" '^\[enlightened32\] enlightened32: root-only CreatePartition: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: reference TSC page and TIME_REF_COUNT agree, never backwards: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: SynIC message echoed back: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: echo answered by SINT2.s interrupt \(EOI by the guest\): PASS'
		expect "$log" '^\[enlightened32\] enlightened32: AutoEOI: SINT2.s vector not in service in its handler, no EOI needed: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: STIMER0 periodic direct-mode rate within 25% \(HLT between ticks\): PASS'
		expect "$log" '^\[enlightened32\] enlightened32: no STIMER0 interrupt once disabled: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: sti; hlt woken by a one-shot STIMER \(not early, well before the backup\): PASS'
		expect "$log" '^\[enlightened32\] enlightened32: pending timer message delivered, with its interrupt, after EOM: PASS'
		expect "$log" '^\[enlightened32\] enlightened32: PASS' "$machine: the 32-bit enlightened guest's checks"
		expect "$log" '^monitor: partition enlightened32 exited with status 1$'
		expect "$log" '^monitor: all partitions ended as expected' "$machine: the verdict"
		;;
	failure)
		expect "$log" '^monitor: partition platform stopped: the processor refused to enter it .*unrestricted guest' \
			"$machine: the refusal of a paging-off guest says why"
		expect "$log" '^monitor:   platform: stopped: .*\[UNEXPECTED\]'
		expect "$log" '^monitor: partition enlightened32 stopped: the processor refused to enter it .*unrestricted guest'
		expect "$log" '^monitor:   enlightened32: stopped: .*\[UNEXPECTED\]'
		expect_none "$log" '^monitor:   (hello|triple_fault|hypercall|enlightened|mmio|wild_access|vsc_console): .*UNEXPECTED' \
			"$machine: every other partition ended as expected"
		;;
	esac
	expect "$log" '^monitor: module 7 is a file for partition platform$'
	# A synthetic console over a channel, and a corrupt ring that closes only that channel.
	expect "$log" '^\[vsc_console\] vsc_console: line 1 through the console channel$' "$machine: text through a channel"
	expect "$log" '^monitor: partition vsc_console: channel [0-9]+ \(console\): .*closed' \
		"$machine: a corrupt ring closes its channel"
	expect "$log" '^\[vsc_console\] vsc_console: the partition runs on after the rescind$'
	expect "$log" '^monitor: partition vsc_console exited with status 1$'
	expect "$log" '^monitor:     channels: [0-9]+ message\(s\) in' "$machine: channel counters in the summary"
	expect "$log" '^monitor: summary of 9 partition\(s\)'
	expect "$log" '^monitor:   hello: exited with status 1 \[expected\]'
	expect "$log" '^monitor: scheduler: [0-9]+ slices, [0-9]+ cut short by a wake-up, idle [0-9]+ times'
	expect "$log" '^monitor:     CPU time [0-9]+\.[0-9]{3} ms in [0-9]+ slice\(s\)' "$machine: per-partition CPU time"
	expect "$log" '^monitor:     [0-9]+ entries, [0-9]+ exits, [0-9]+ host TSC cycles'
	expect "$log" '^monitor:       io +[0-9]+ +[0-9]+\.[0-9]%$' "$machine: the exit table"
done
finish
