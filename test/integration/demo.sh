#!/bin/sh
# The demo ISO on every machine: hello runs, hostile guests are stopped, later ones still run.
# A guest that passes on one machine must pass on all (QEMU SVM, Bochs VMX and SVM models).
. "$(dirname "$0")/lib.sh"

for machine in $MACHINES; do
	log=$scratch/$(echo "$machine" | tr ':,+' '___').log
	boot_on "$machine" "$build/monitor.iso" "$log"
	expect_verdict "$log" success
	case $machine in
	*skylake*) expect "$log" '^monitor: backend vmx .*EPT yes, VPID yes, unrestricted guest yes' ;;
	*lynnfield*) expect "$log" '^monitor: backend vmx .*EPT yes, .*unrestricted guest no' ;;
	*ryzen*) expect "$log" '^monitor: backend svm .*NPT yes, NRIP save yes' ;;
	*phenom*) expect "$log" '^monitor: backend svm .*NPT yes, NRIP save no' ;;
	qemu:*) expect "$log" '^monitor: backend svm .*NPT yes' ;;
	esac
	expect "$log" '^\[hello\] Hello from a libhv child partition' "$machine: hello's output"
	expect "$log" '^\[hello\] .*greetings from the module line' "$machine: hello's command line"
	expect "$log" '^monitor: partition hello exited with status 1$'
	expect "$log" '^monitor: partition triple_fault stopped: triple fault \(shutdown\) at RIP 0x'
	expect "$log" '^\[hypercall\] hypercall: PASS' "$machine: VMCALL/VMMCALL answered"
	expect "$log" '^monitor: partition hypercall exited with status 1$'
	expect_order "$log" 'partition triple_fault stopped' 'partition hypercall exited'
	expect "$log" '^\[enlightened\] enlightened: Hypervisor detected: Microsoft Hyper-V'
	expect "$log" '^\[enlightened\] enlightened: root-only CreatePartition: PASS'
	expect "$log" '^\[enlightened\] enlightened: PASS' "$machine: the enlightened guest's checks"
	expect "$log" '^monitor: partition enlightened exited with status 1$'
	expect "$log" '^monitor: partition wild_access: write at unclaimed MMIO 0xe0000000: dropped'
	expect "$log" '^\[wild_access\] wild_access: GPA 0xe0000000 reads 0xffffffff after a write: PASS'
	expect "$log" '^monitor: partition wild_access stopped: execute access to GPA 0xe0000000 \(no RAM there\) at RIP 0xe0000000'
	expect "$log" '^\[mmio\] mmio: [0-9]+ cases matched the processor, 0 did not' "$machine: MMIO emulation"
	expect "$log" '^\[mmio\] mmio: PASS'
	expect "$log" '^monitor: summary of 6 partition\(s\)'
	expect "$log" '^monitor:   hello: exited with status 1 \[expected\]'
	expect "$log" '^monitor:     [0-9]+ entries, [0-9]+ exits: .*io=[0-9]+'
	expect "$log" '^monitor: all partitions ended as expected' "$machine: the verdict"
done
finish
