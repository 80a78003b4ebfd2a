#!/bin/sh
# Modules the project never built, on QEMU (SVM) and Bochs (VMX): a bare ELF64 guest runs and its
# status is reported; a file that is not ELF, a malformed module line and a file for a partition
# are reported while the other partitions still run.
. "$(dirname "$0")/lib.sh"

# A guest assembled here, with its own linker command: nothing of examples/guests/ in it.
gcc -c -o "$scratch/raw_exit.o" "$top/test/data/guests/raw_exit.S" || fail "assemble raw_exit"
ld -nostdlib -static -z max-page-size=0x1000 -Ttext=0x200000 -e _start \
	-o "$scratch/raw_exit.elf" "$scratch/raw_exit.o" || fail "link raw_exit"
printf 'this is not an ELF image, just text\n' >"$scratch/notes.txt"

iso=$scratch/modules.iso
MKISO_EXTRA_MODULES="    module2 /boot/raw_exit.elf name=bad mem=lots
    module2 /boot/notes.txt for=raw" \
	"$top/scripts/mkiso.sh" "$iso" "$build/monitor.elf" \
	"$scratch/notes.txt:name=notes mem=4M expect=stopped" \
	"$scratch/raw_exit.elf:name=raw mem=8M expect=11" \
	"$build/guests/hello.elf:name=hello mem=4M" || fail "mkiso"

for machine in qemu:qemu64,+svm,+npt bochs:corei7_skylake_x; do
	log=$scratch/$(echo "$machine" | tr ':,+' '___').log
	boot_on "$machine" "$iso" "$log"
	expect "$log" '^monitor: partition notes rejected: not a loadable guest image \(neither multiboot v1 nor ELF64\): ' \
		"$machine: a non-ELF module is rejected with a reason"
	expect "$log" '^\[raw\] raw guest: built outside the project, exiting with 5$'
	expect "$log" '^monitor: partition raw exited with status 11$'
	expect "$log" '^\[hello\] Hello from a libhv child partition' "$machine: the next partition runs"
	expect "$log" 'rejected: .*mem=lots' "$machine: a malformed module line is rejected, naming the key"
	expect "$log" '^monitor: module 4 is a file for partition raw$'
	expect "$log" '^monitor: partition raw: 1 file\(s\) given with for= are ignored: only multiboot v1 kernels receive files'
	expect "$log" '^monitor: summary of 4 partition\(s\)' "$machine: the for= file is not a partition"
	expect "$log" '^monitor:   raw: exited with status 11 \[expected\]'
	# The malformed module line is not expected to work: the run as a whole is a failure.
	expect "$log" '^monitor: SOME PARTITIONS DID NOT END AS EXPECTED'
	expect_verdict "$log" failure
done
# The unseen guest behaves identically on both machines: the same lines from it and about it.
a=$(grep -E '^\[raw\]|partition raw' "$scratch/qemu_qemu64__svm__npt.log.monitor")
b=$(grep -E '^\[raw\]|partition raw' "$scratch/bochs_corei7_skylake_x.log.monitor")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "the unseen guest's output differs between QEMU and Bochs"
finish
