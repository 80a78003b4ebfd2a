#!/bin/sh
# Boots a monitor ISO under QEMU's TCG with AMD SVM and nested paging (no KVM needed or used).
#
#   scripts/run-qemu.sh MONITOR.iso [extra QEMU options]
#
# The serial console is stdout. QEMU's exit status is the monitor's verdict: 33 when every
# partition ended as expected, 35 otherwise (see monitor/power.h); 124 on timeout.
set -u

iso=$1
shift
cpu=${QEMU_CPU:-qemu64,+svm,+npt}
exec timeout -k 5 "${QEMU_TIMEOUT:-60}" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "${QEMU_MEM:-256M}" \
	-nodefaults -display none -serial stdio -no-reboot -boot d -cdrom "$iso" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@"
