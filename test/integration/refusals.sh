#!/bin/sh
# Processors the monitor must refuse cleanly, on both emulators: no SVM, SVM without nested paging,
# VMX without EPT.
. "$(dirname "$0")/lib.sh"

check_refusal() {
	log=$scratch/$(echo "$1" | tr ':,+-' '____').log
	boot_on "$1" "$build/monitor.iso" "$log"
	expect_verdict "$log" failure
	expect "$log" "^monitor: cannot run partitions on this processor: $2" "$1: the refusal says why"
	expect_none "$log" '^monitor: starting partition' "$1: nothing runs after a refusal"
}

check_refusal qemu:qemu64,-svm 'AMD processor without SVM'
check_refusal qemu:qemu64,+svm,-npt 'no nested paging'
check_refusal bochs:turion64_tyler 'no nested paging'
check_refusal bochs:core2_penryn_t9600 'no EPT'
finish
