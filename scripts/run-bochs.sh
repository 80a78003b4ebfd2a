#!/bin/sh
# Boots a monitor ISO under Bochs with the given CPU model (AMD SVM or Intel VMX), serial log to OUTDIR/com1.txt.
#
#   scripts/run-bochs.sh MONITOR.iso CPU_MODEL OUTDIR
#
# Writes OUTDIR/bochsrc and OUTDIR/cont.rc, then runs Bochs unattended. Bochs's exit status says
# nothing about the monitor (it is 1 on success and failure alike): read the verdict from
# OUTDIR/com1.txt. Bochs's own log is OUTDIR/bochs.log, its console output OUTDIR/bochs.stdout.
# The script returns Bochs's status, or 124 when BOCHS_TIMEOUT (seconds, default 90) ran out.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 MONITOR.iso CPU_MODEL OUTDIR" >&2
	exit 2
fi
iso=$1
model=$2
out=$3

mkdir -p "$out"
out=$(cd "$out" && pwd)
case $iso in /*) ;; *) iso=$(pwd)/$iso ;; esac
if [ ! -r "$iso" ]; then
	echo "$0: cannot read $iso" >&2
	exit 2
fi
# A stale log from an earlier run would be read as this run's verdict.
rm -f "$out/com1.txt" "$out/bochs.log"

# Settings from TESTING.md: textconfig and no unused devices so nothing waits for input; errors
# only reported because Bochs logs ordinary guest faults (EPT violations, ...) as errors;
# sync=none runs as fast as it can.
# Triple faults: Bochs 2.7 (cpu/exception.cc) raises a CPU panic on every triple fault and only
# then, in shutdown(), takes an SVM guest's SHUTDOWN intercept. With reset_on_triple_fault=1 it
# would reset the whole machine instead, and with the CPU's panics fatal it would quit: either way
# a triple-faulting SVM guest could never reach the monitor. So the CPU's panics are reported and
# every other device's panics stay fatal: the monitor's final "Shutdown" on port 0x8900 is a panic
# of the UNMAP device, and that is what ends Bochs at once. A triple fault of the monitor itself
# leaves the CPU in the shutdown state until the timeout, with "no resolution" in bochs.log.
cat >"$out/bochsrc" <<RC
config_interface: textconfig
display_library: sdl2
plugin_ctrl: unmapped=1, biosdev=1, speaker=0, extfpuirq=0, parallel=0, gameport=0, iodebug=0, serial=1, e1000=0, ne2k=0, sb16=0, es1370=0, usb_uhci=0, usb_ohci=0, usb_ehci=0, usb_xhci=0
memory: guest=128, host=128
romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=0
clock: sync=none, time0=local
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
floppy_bootsig_check: disabled=1
mouse: enabled=0
magic_break: enabled=0
port_e9_hack: enabled=1
com1: enabled=1, mode=file, dev=$out/com1.txt
log: $out/bochs.log
panic: action=fatal, cpu0=report
error: action=report
info: action=report
debug: action=ignore
RC

# Debian's Bochs has the internal debugger: -rc feeds it commands, and "c" starts the simulation.
# Every triple fault (see above) also breaks into the debugger, so the file continues several times;
# once it runs out, the debugger reads /dev/null and quits Bochs.
i=0
while [ "$i" -lt 16 ]; do
	echo c
	i=$((i + 1))
done >"$out/cont.rc"

# -q skips the start menu (without it Bochs silently does nothing); the dummy SDL driver needs no
# display; stdin from /dev/null so a prompt can never wait; -k 5 kills a Bochs that ignores SIGTERM.
cd "$out" || exit 2
SDL_VIDEODRIVER=dummy timeout -k 5 "${BOCHS_TIMEOUT:-90}" bochs -q -f bochsrc -rc cont.rc \
	</dev/null >"$out/bochs.stdout" 2>&1
