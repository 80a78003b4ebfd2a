# Shared by the integration tests (sourced): booting ISOs under QEMU or Bochs and checking the serial log.
# Each test script gets the build directory as $1 and exits nonzero on failure.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: $0 BUILD_DIR}
case $build in /*) ;; *) build=$top/$build ;; esac
scratch=$build/test/$(basename "$0" .sh)
rm -rf "$scratch"
mkdir -p "$scratch"
failures=0

fail() {
	echo "FAIL: $(basename "$0"): $*" >&2
	failures=$((failures + 1))
}

# boot ISO LOG [QEMU_CPU]: boot under QEMU TCG, serial output to LOG; sets $status.
boot() {
	QEMU_CPU=${3:-qemu64,+svm,+npt} QEMU_TIMEOUT=${QEMU_TIMEOUT:-60} \
		"$top/scripts/run-qemu.sh" "$1" </dev/null >"$2" 2>"$2.stderr"
	status=$?
	# GRUB paints the screen with escape sequences first: keep what follows the banner.
	sed -n '/^libhv monitor/,$p' "$2" | tr -d '\r' >"$2.monitor"
}

# boot_bochs ISO LOG CPU_MODEL: boot under Bochs with that CPU model, serial output to LOG; Bochs's
# own files (bochsrc, bochs.log) go to LOG.bochs/. Sets $status to Bochs's exit status, which says
# nothing about the monitor (124 is a timeout), and $boot_time to the seconds the boot took.
boot_bochs() {
	t0=$(date +%s.%N)
	BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-90} "$top/scripts/run-bochs.sh" "$1" "$3" "$2.bochs" \
		</dev/null >"$2.stderr" 2>&1
	status=$?
	t1=$(date +%s.%N)
	boot_time=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# No com1.txt at all (Bochs did not start) must read as an empty log, not a stale one.
	cp "$2.bochs/com1.txt" "$2" 2>/dev/null || : >"$2"
	sed -n '/^libhv monitor/,$p' "$2" | tr -d '\r' >"$2.monitor"
}

# expect LOG PATTERN [WHAT]: an extended regular expression must match a line of the monitor log.
expect() {
	if ! grep -Eq -- "$2" "$1.monitor"; then
		fail "${3:-expected a line matching /$2/} (log: $1)"
	fi
}

# expect_order LOG PATTERN1 PATTERN2: a line matching PATTERN1 comes before one matching PATTERN2.
expect_order() {
	a=$(grep -En -- "$2" "$1.monitor" | head -n1 | cut -d: -f1)
	b=$(grep -En -- "$3" "$1.monitor" | tail -n1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		fail "expected /$2/ before /$3/ (log: $1)"
	fi
}

expect_status() {
	if [ "$status" != "$1" ]; then
		fail "QEMU exit status $status, expected $1 (log: $2)"
	fi
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "--- monitor log of the last boot ($last_log) ---" >&2
		cat "${last_log}.monitor" >&2 2>/dev/null
		exit 1
	fi
	echo "PASS: $(basename "$0")"
}
