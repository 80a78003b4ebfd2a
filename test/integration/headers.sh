#!/bin/sh
# Every public libhv header compiles on its own, hosted and freestanding (STYLE: headers in tiers).
. "$(dirname "$0")/lib.sh"
last_log=/dev/null

cd "$top/libhv/include" || exit 1
count=0
for h in hv/*.h hv/abi/*.h; do
	for mode in "" "-ffreestanding -nostdinc -isystem $(gcc -print-file-name=include)"; do
		# shellcheck disable=SC2086
		if ! printf '#include <%s>\n' "$h" |
			gcc -std=c11 -Wall -Wextra -Werror -Wundef $mode -I. -fsyntax-only -x c - \
				2>"$scratch/err"; then
			fail "$h does not compile on its own ${mode:+(freestanding)}: $(head -n 3 "$scratch/err")"
		fi
	done
	count=$((count + 1))
done
[ "$count" -ge 6 ] || fail "found only $count public headers"
finish
