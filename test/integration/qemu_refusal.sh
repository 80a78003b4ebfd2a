#!/bin/sh
# Processors the monitor must refuse cleanly: no SVM at all, and SVM without nested paging.
. "$(dirname "$0")/lib.sh"

log=$scratch/no_svm.log
last_log=$log
boot "$build/monitor.iso" "$log" qemu64,-svm
expect "$log" '^monitor: cannot run partitions on this processor: AMD processor without SVM'
expect_status 35 "$log"

log=$scratch/no_npt.log
last_log=$log
boot "$build/monitor.iso" "$log" qemu64,+svm,-npt
expect "$log" '^monitor: cannot run partitions on this processor: no nested paging'
expect_status 35 "$log"
finish
