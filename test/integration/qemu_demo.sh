#!/bin/sh
# The demo ISO under QEMU (AMD SVM): hello runs, hostile guests are stopped, later ones still run.
. "$(dirname "$0")/lib.sh"

log=$scratch/demo.log
last_log=$log
boot "$build/monitor.iso" "$log"
expect_status 33 "$log"
expect "$log" '^monitor: cpu: AuthenticAMD' "the banner names the processor"
expect "$log" '^monitor: backend svm .*NPT yes' "the banner names the backend and its features"
expect "$log" '^\[hello\] Hello from a libhv child partition' "hello's output, prefixed"
expect "$log" '^\[hello\] .*greetings from the module line' "hello got its command line"
expect "$log" '^monitor: partition hello exited with status 1$'
expect "$log" '^monitor: partition triple_fault stopped: triple fault \(shutdown\) at RIP 0x'
expect "$log" '^\[hypercall\] .*PASS' "VMMCALL answered with HV_STATUS_INVALID_HYPERCALL_CODE"
expect "$log" '^monitor: partition hypercall exited with status 1$'
expect_order "$log" 'partition triple_fault stopped' 'partition hypercall exited'
expect "$log" '^monitor: partition wild_access stopped: read access to GPA 0xe0000000 \(no RAM or device there\) at RIP 0x'
expect "$log" '^monitor: summary of 4 partition\(s\)'
expect "$log" '^monitor:   hello: exited with status 1 \[expected\]'
expect "$log" '^monitor:   triple_fault: stopped: triple fault.*\[expected\]'
expect "$log" '^monitor:     [0-9]+ entries, [0-9]+ exits: .*io=[0-9]+'
expect "$log" '^monitor: all partitions ended as expected'
finish
