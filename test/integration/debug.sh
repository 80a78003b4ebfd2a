#!/bin/sh
# make debug works: gdb, driven by scripts/monitor.gdb in batch mode, stops at monitor_main.
. "$(dirname "$0")/lib.sh"

# `make debug` waits for gdb on port 1234: nothing else may hold it.
if command -v ss >/dev/null && ss -ltn 2>/dev/null | grep -q ':1234 '; then
	fail "port 1234 is taken: cannot run make debug"
	finish
fi
make -s -C "$top" O="$build" debug DEBUG_TIMEOUT=120 >"$scratch/qemu.log" 2>&1 &
make_pid=$!
# QEMU listens at once; give it a moment to start.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ss -ltn 2>/dev/null | grep -q ':1234 ' && break
	sleep 1
done
(cd "$top" && timeout 100 gdb -batch -nx -x scripts/monitor.gdb -ex 'bt' -ex 'info registers rip' \
	-ex 'kill') >"$scratch/gdb.log" 2>&1
kill "$make_pid" 2>/dev/null
wait "$make_pid" 2>/dev/null
# The same checks expect() makes, on gdb's output.
cp "$scratch/gdb.log" "$scratch/gdb.log.monitor"
last_log=$scratch/gdb.log
expect "$scratch/gdb.log" 'Breakpoint 1, monitor_main \(mb2_magic=920085129' "gdb stopped at monitor_main with the multiboot2 magic"
expect "$scratch/gdb.log" '^#0 +monitor_main ' "a backtrace"
expect "$scratch/gdb.log" '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <monitor_main' "RIP in monitor_main"
finish
