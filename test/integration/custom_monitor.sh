#!/bin/sh
# libhv as an installed library: make install into a scratch prefix, build the custom monitor from
# a copy of examples/custom-monitor with pkg-config only, and boot it under QEMU with a guest.
. "$(dirname "$0")/lib.sh"

prefix=$scratch/prefix
work=$scratch/custom-monitor
machine=${CUSTOM_MONITOR_MACHINE:-qemu:qemu64,+svm,+npt}

make -s -C "$top" O="$build" install PREFIX="$prefix" >"$scratch/install.log" 2>&1 ||
	fail "make install PREFIX=$prefix failed (see $scratch/install.log)"
for f in lib/libhv.a lib/libhv-rt.a lib/libhv-devices.a lib/libhv-emu.a lib/libhv/boot.o \
	lib/libhv/linker.ld lib/pkgconfig/libhv.pc include/libhv/hv/hv.h \
	include/libhv/hv/abi/hv_status.h include/libhv/monitor/console.h bin/hvimage; do
	[ -e "$prefix/$f" ] || fail "make install did not install $f"
done

# A copy outside the source tree, so that nothing can reach the sources by a relative path.
mkdir -p "$work"
cp "$top/examples/custom-monitor/custom_monitor.c" "$top/examples/custom-monitor/Makefile" "$work/"
if ! make -C "$work" PREFIX="$prefix" >"$scratch/build.log" 2>&1; then
	fail "the custom monitor does not build from the installed library (see $scratch/build.log)"
	finish
fi
grep -Eq -- "$top/(libhv|monitor|devices|emulator|examples|scripts)" "$scratch/build.log" &&
	fail "the custom monitor's build refers to the source tree"
grub-file --is-x86-multiboot2 "$work/custom_monitor.elf" || fail "custom_monitor.elf is not multiboot2"

# The counter guest reads the custom monitor's own MMIO device; -v shows the debug lines.
make -s -C "$work" iso PREFIX="$prefix" GUEST="$build/guests/counter.elf" \
	GUEST_ARGS="name=counter mem=8M" >"$scratch/iso.log" 2>&1 || fail "make iso failed"
boot_on "$machine" "$work/custom_monitor.iso" "$scratch/counter.log"
sed -n '/^custom monitor/,$p' "$scratch/counter.log" | tr -d '\r' >"$scratch/counter.log.monitor"
expect_verdict "$scratch/counter.log" success
log=$scratch/counter.log
expect "$log" '^\[counter\] counter: read 1, 2, then 42 after writing 41$' "the guest's view of the device"
expect "$log" '^\[counter\] counter: PASS$'
expect "$log" '^custom: counter exited with status 1$'
expect "$log" '^custom: the counter stands at 42; 4 MMIO accesses emulated$'
expect "$log" '^custom:   io +[0-9]+ +[0-9]+\.[0-9]%$' "the exit table"
expect "$log" '^custom:   memory-access +4 ' "four MMIO exits in the table"
expect_none "$log" '^monitor: [0-9]+ MiB free' "a debug line without -v"

# hello with -v on the monitor's command line: the debug line appears, the guest still runs.
MKISO_MONITOR_ARGS=-v make -s -C "$work" iso PREFIX="$prefix" GUEST="$build/guests/hello.elf" \
	GUEST_ARGS="name=hello mem=16M -- from a custom monitor" O="$scratch" >>"$scratch/iso.log" 2>&1 ||
	fail "make iso (hello) failed"
boot_on "$machine" "$scratch/custom_monitor.iso" "$scratch/hello.log"
sed -n '/^custom monitor/,$p' "$scratch/hello.log" | tr -d '\r' >"$scratch/hello.log.monitor"
expect_verdict "$scratch/hello.log" success
expect "$scratch/hello.log" '^monitor: [0-9]+ MiB free for partitions and libhv, 1 module' "-v's debug line"
expect "$scratch/hello.log" '^\[hello\] hello: command line "from a custom monitor"$'
expect "$scratch/hello.log" '^custom: hello exited with status 1$'
finish
