#!/bin/sh
# The demo ISO under Bochs's AMD SVM, a second implementation next to QEMU's: with and without NRIP save, and without NPT.
. "$(dirname "$0")/lib.sh"

if ! command -v bochs >/dev/null 2>&1; then
	fail "bochs is not installed (scripts/install-deps.sh installs it)"
	finish
fi

# ended_by_monitor LOG: Bochs stopped because the monitor wrote "Shutdown" to port 0x8900, not
# through the timeout or a panic. Bochs's exit status is 1 either way, so bochs.log decides.
ended_by_monitor() {
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		fail "Bochs timed out after ${BOCHS_TIMEOUT:-90} s (log: $1, $1.bochs/bochs.log)"
	elif ! grep -q 'Shutdown port: shutdown requested' "$1.bochs/bochs.log" 2>/dev/null; then
		fail "Bochs did not end through the shutdown port (see $1.bochs/bochs.log)"
	fi
}

# demo MODEL YES_OR_NO: the whole demo runs on a model with nested paging; the banner must report
# NRIP save as given (without it the monitor decodes the next RIP itself).
demo() {
	log=$scratch/$1.log
	last_log=$log
	boot_bochs "$build/monitor.iso" "$log" "$1"
	echo "bochs_svm: $1 booted and finished in $boot_time s"
	ended_by_monitor "$log"
	expect "$log" '^monitor: cpu: AuthenticAMD' "$1: the banner names the processor"
	expect "$log" "^monitor: backend svm .*NPT yes, NRIP save $2," "$1: the banner reports NRIP save $2"
	expect "$log" '^\[hello\] Hello from a libhv child partition' "$1: hello's output, prefixed"
	expect "$log" '^\[hello\] .*greetings from the module line' "$1: hello got its command line"
	expect "$log" '^monitor: partition hello exited with status 1$'
	expect "$log" '^monitor: partition triple_fault stopped: triple fault \(shutdown\) at RIP 0x'
	expect "$log" '^\[hypercall\] hypercall: PASS' "$1: VMMCALL answered as expected"
	expect "$log" '^monitor: partition hypercall exited with status 1$'
	expect_order "$log" 'partition triple_fault stopped' 'partition hypercall exited'
	expect "$log" '^monitor: partition wild_access stopped: read access to GPA 0xe0000000 \(no RAM or device there\) at RIP 0x'
	expect "$log" '^monitor: summary of 4 partition\(s\)'
	expect "$log" '^monitor: all partitions ended as expected' "$1: the summary's verdict"
}

demo ryzen yes
demo phenom_8650_toliman no

# SVM without nested paging: the monitor must say why and start nothing.
log=$scratch/turion64_tyler.log
last_log=$log
boot_bochs "$build/monitor.iso" "$log" turion64_tyler
echo "bochs_svm: turion64_tyler booted and finished in $boot_time s"
ended_by_monitor "$log"
expect "$log" '^monitor: backend svm .*NPT no' "turion64_tyler: the banner reports no NPT"
expect "$log" '^monitor: cannot run partitions on this processor: no nested paging'
if grep -q '^monitor: starting partition' "$log.monitor"; then
	fail "turion64_tyler: a partition was started without nested paging (log: $log)"
fi
finish
