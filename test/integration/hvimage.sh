#!/bin/sh
# hvimage on the example guests (when built) and on malformed files: exit codes and messages.
# Usage: test/integration/hvimage.sh BUILD_DIR
set -u

build=${1:?usage: $0 BUILD_DIR}
hv="$build/hvimage"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect CODE PATTERN -- command...: the exit code must be CODE and the output must match PATTERN.
expect() {
	code=$1 pattern=$2
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" -eq "$code" ] || fail "$* exited $rc, expected $code: $out"
	printf '%s\n' "$out" | grep -q -- "$pattern" || fail "$*: output lacks '$pattern': $out"
}

[ -x "$hv" ] || { echo "FAIL: $hv not built"; exit 1; }

expect 2 "usage" -- "$hv"
expect 2 "usage" -- "$hv" frobnicate x
expect 1 "No such file" -- "$hv" check "$tmp/missing.elf"

guests=0
for g in "$build"/guests/*.elf; do
	[ -f "$g" ] || continue
	guests=$((guests + 1))
	expect 0 ": OK (ELF64" -- "$hv" check "$g"
	expect 0 ": OK (ELF64.*mem=64M" -- "$hv" check "$g" mem=64M
	expect 0 "min mem:  mem=" -- "$hv" info "$g"
	expect 0 "kind:     ELF64" -- "$hv" info "$g"
	expect 1 "does not fit in mem=1024K" -- "$hv" check "$g" mem=1M
	expect 1 "mem=12X: not a size" -- "$hv" check "$g" mem=12X
	expect 1 "mem=128G: out of range" -- "$hv" check "$g" mem=128G
	# Truncated inside the first segment (guests are linked with file offsets at 4 KiB pages): a
	# clear rejection, never a crash (hvimage is built with ASan).
	head -c 4200 "$g" >"$tmp/cut.elf"
	expect 1 "rejected (ELF64).*run past the end of the file" -- "$hv" check "$tmp/cut.elf"
	head -c 63 "$g" >"$tmp/short.elf"
	expect 1 "too small for an ELF header" -- "$hv" check "$tmp/short.elf"
	# Patch single header bytes (offsets from the ELF64 header layout).
	patch() { # patch FILE OFFSET OCTAL-BYTE
		cp "$g" "$1"
		printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
	}
	patch "$tmp/class32.elf" 4 001
	expect 1 "not a 64-bit ELF" -- "$hv" check "$tmp/class32.elf"
	patch "$tmp/bigendian.elf" 5 002
	expect 1 "not a little-endian" -- "$hv" check "$tmp/bigendian.elf"
	patch "$tmp/dyn.elf" 16 003
	expect 1 "ET_DYN (PIE" -- "$hv" check "$tmp/dyn.elf"
	patch "$tmp/i386.elf" 18 003
	expect 1 "not an x86-64" -- "$hv" check "$tmp/i386.elf"
	patch "$tmp/phoff.elf" 39 177 # e_phoff's top byte: far past the end of the file
	expect 1 "program headers .* run past the end of the file" -- "$hv" check "$tmp/phoff.elf"
	patch "$tmp/phentsize.elf" 54 100 # 64
	expect 1 "e_phentsize is not 56" -- "$hv" check "$tmp/phentsize.elf"
done
[ "$guests" -gt 0 ] || echo "note: no $build/guests/*.elf: guest checks skipped"

printf 'not an image at all, just text long enough to hold an ELF header if it were one\n' >"$tmp/text"
expect 1 "not an ELF file (bad magic)" -- "$hv" check "$tmp/text"
expect 1 "kind:     unknown" -- "$hv" info "$tmp/text"
: >"$tmp/empty"
expect 1 "too small" -- "$hv" check "$tmp/empty"
# A bare multiboot v1 header (magic, flags 0, checksum) with nothing to load is refused, saying why.
printf '\002\260\255\033\000\000\000\000\376\117\122\344' >"$tmp/mb1.bin"
expect 1 "nothing says where to load it" -- "$hv" check "$tmp/mb1.bin"
# The project's own multiboot v1 guest is accepted.
if [ -f "$build/mbguests/platform.elf" ]; then
	expect 0 "multiboot v1" -- "$hv" info "$build/mbguests/platform.elf"
	expect 0 "" -- "$hv" check "$build/mbguests/platform.elf"
fi

if [ "$failures" -ne 0 ]; then
	echo "hvimage.sh: $failures failure(s)"
	exit 1
fi
echo "hvimage.sh: all passed ($guests guest images)"
