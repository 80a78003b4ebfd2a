# Shared by the integration tests (sourced): booting ISOs on emulated machines and checking the log.
# Each test script gets the build directory as $1 and exits nonzero on failure.
#
# A machine is "qemu:CPU" (QEMU TCG, AMD SVM) or "bochs:MODEL" (Bochs: Intel VMX or AMD SVM).
# One harness serves both emulators: boot_on, then expect/expect_verdict on the log.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: $0 BUILD_DIR}
case $build in /*) ;; *) build=$top/$build ;; esac
scratch=$build/test/$(basename "$0" .sh)
rm -rf "$scratch"
mkdir -p "$scratch"
failures=0
last_log=/dev/null

# The machines every demo and module test runs on (TESTING.md): QEMU's SVM, Bochs's VMX with and
# without unrestricted guest, Bochs's SVM with and without NRIP save.
MACHINES=${MACHINES:-"qemu:qemu64,+svm,+npt bochs:corei7_skylake_x bochs:ryzen bochs:phenom_8650_toliman bochs:corei5_lynnfield_750"}

fail() {
	echo "FAIL: $(basename "$0"): $*" >&2
	failures=$((failures + 1))
}

# boot_on MACHINE ISO LOG: boot the ISO, serial output to LOG and the monitor's part of it (after
# the banner: GRUB paints escape sequences first) to LOG.monitor. Sets $status (the emulator's
# exit status), $boot_time (seconds) and $emulator.
boot_on() {
	emulator=${1%%:*}
	cpu=${1#*:}
	t0=$(date +%s.%N)
	case $emulator in
	qemu)
		QEMU_CPU=$cpu QEMU_TIMEOUT=${QEMU_TIMEOUT:-60} "$top/scripts/run-qemu.sh" "$2" \
			</dev/null >"$3" 2>"$3.stderr"
		status=$?
		;;
	bochs)
		BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-90} "$top/scripts/run-bochs.sh" "$2" "$cpu" "$3.bochs" \
			</dev/null >"$3.stderr" 2>&1
		status=$?
		# No com1.txt at all (Bochs did not start) must read as an empty log, not a stale one.
		cp "$3.bochs/com1.txt" "$3" 2>/dev/null || : >"$3"
		;;
	*)
		fail "unknown machine $1"
		status=1
		: >"$3"
		;;
	esac
	boot_time=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	sed -n '/^libhv monitor/,$p' "$3" | tr -d '\r' >"$3.monitor"
	last_log=$3
	echo "$(basename "$0" .sh): $1: $boot_time s"
}

# expect LOG PATTERN [WHAT]: an extended regular expression must match a line of the monitor log.
expect() {
	if ! grep -Eq -- "$2" "$1.monitor"; then
		fail "${3:-expected a line matching /$2/} (log: $1)"
	fi
}

# expect_none LOG PATTERN [WHAT]: no line of the monitor log may match.
expect_none() {
	if grep -Eq -- "$2" "$1.monitor"; then
		fail "${3:-unexpected line matching /$2/} (log: $1)"
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

# expect_all_before LOG PATTERN1 PATTERN2: every line matching PATTERN1 comes before every line
# matching PATTERN2 (both must match), e.g. every partition starts before any ends.
expect_all_before() {
	a=$(grep -En -- "$2" "$1.monitor" | tail -n1 | cut -d: -f1)
	b=$(grep -En -- "$3" "$1.monitor" | head -n1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		fail "expected every /$2/ before any /$3/ (log: $1)"
	fi
}

# expect_verdict LOG success|failure: how the monitor ended the machine. QEMU: its exit status
# (33 success, 35 failure). Bochs exits 1 either way: it must have ended through the monitor's
# shutdown port, and the console carries the verdict.
expect_verdict() {
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		fail "$emulator timed out (log: $1)"
		return
	fi
	case $emulator in
	qemu)
		want=33
		[ "$2" = success ] || want=35
		[ "$status" = "$want" ] || fail "QEMU exit status $status, expected $want (log: $1)"
		;;
	bochs)
		grep -q 'Shutdown port: shutdown requested' "$1.bochs/bochs.log" 2>/dev/null ||
			fail "Bochs did not end through the monitor's shutdown port (log: $1.bochs/bochs.log)"
		;;
	esac
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "--- monitor log of the last boot ($last_log) ---" >&2
		cat "${last_log}.monitor" >&2 2>/dev/null
		exit 1
	fi
	echo "PASS: $(basename "$0")"
}
