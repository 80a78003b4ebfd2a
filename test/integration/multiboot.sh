#!/bin/sh
# A multiboot v1 kernel the project never built runs as a child on QEMU (SVM) and Bochs (VMX) and
# behaves as it does when QEMU boots it directly with -kernel: the same output, the same status.
# Option ROMs handed to a partition (kind=optionrom) are placed in its ROM, checked first.
. "$(dirname "$0")/lib.sh"

gcc -m32 -c -o "$scratch/raw_multiboot.o" "$top/test/data/guests/raw_multiboot.S" || fail "assemble"
ld -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -Ttext=0x200000 -e _start \
	-o "$scratch/raw_multiboot.elf" "$scratch/raw_multiboot.o" || fail "link"
printf 'first line of the module\nsecond line\n' >"$scratch/module.txt"
# Option ROMs: 0x55 0xAA, one 512-byte block, bytes summing to 0; and one whose sum is off.
{ printf '\125\252\001'; head -c 509 /dev/zero; } >"$scratch/good.rom"
{ printf '\125\252\001\001'; head -c 508 /dev/zero; } >"$scratch/bad.rom"

# The reference: QEMU as the multiboot loader, no libhv involved.
timeout -k 5 30 qemu-system-x86_64 -accel tcg -m 64M -nodefaults -display none -serial stdio \
	-no-reboot -kernel "$scratch/raw_multiboot.elf" -initrd "$scratch/module.txt" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$scratch/direct.log" 2>&1
direct_status=$?
[ "$direct_status" = 15 ] || fail "QEMU -kernel: exit status $direct_status, expected 15 (V=7)"
grep '^raw multiboot:' "$scratch/direct.log" | tr -d '\r' >"$scratch/direct.lines"
[ -s "$scratch/direct.lines" ] || fail "QEMU -kernel printed nothing recognisable"

iso=$scratch/multiboot.iso
MKISO_EXTRA_MODULES="    module2 /boot/module.txt for=rawmb
    module2 /boot/good.rom for=rawmb kind=optionrom
    module2 /boot/raw_multiboot.elf name=badrom mem=16M expect=stopped
    module2 /boot/bad.rom for=badrom kind=optionrom" \
	"$top/scripts/mkiso.sh" "$iso" "$build/monitor.elf" \
	"$scratch/raw_multiboot.elf:name=rawmb mem=16M expect=15" "$scratch/module.txt:name=unused for=nobody" \
	"$scratch/good.rom:name=unused2 for=nobody kind=optionrom" "$scratch/bad.rom:name=unused3 for=nobody kind=optionrom" ||
	fail "mkiso"

for machine in qemu:qemu64,+svm,+npt bochs:corei7_skylake_x; do
	log=$scratch/$(echo "$machine" | tr ':,+' '___').log
	boot_on "$machine" "$iso" "$log"
	expect_verdict "$log" success
	expect "$log" '^monitor: partition rawmb exited with status 15$'
	expect "$log" '^monitor: partition rawmb: option ROM 0 placed at 0xc0000$' "$machine: the option ROM"
	expect "$log" '^monitor: partition badrom rejected: its ROM: .*checksum' "$machine: a bad option ROM is refused"
	expect "$log" '^monitor: module 1 is a file for partition nobody, which no module creates: ignored'
	sed -n 's/^\[rawmb\] //p' "$log.monitor" >"$log.lines"
	cmp -s "$scratch/direct.lines" "$log.lines" ||
		fail "$machine: the kernel's output differs from QEMU -kernel's (see $log.lines)"
done
finish
