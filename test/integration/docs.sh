#!/bin/sh
# `make docs` builds the API reference from the public headers with no warning at all: every public
# function, struct, field and macro is documented at its declaration (docs/Doxyfile).
. "$(dirname "$0")/lib.sh"
last_log=/dev/null

if ! make -s -C "$top" O="$scratch" docs >"$scratch/docs.log" 2>&1; then
	fail "make docs failed: $(grep -c 'error\|warning' "$scratch/docs.log") problem(s), first: $(grep -m 3 'error\|warning' "$scratch/docs.log")"
fi
grep -q 'warning\|error' "$scratch/docs.log" && fail "make docs printed warnings (see $scratch/docs.log)"
[ -f "$scratch/docs/api/hv_8h.html" ] || fail "no page for hv/hv.h in $scratch/docs/api"
grep -q 'hv_vp_run' "$scratch/docs/api/hv_8h.html" 2>/dev/null || fail "hv_vp_run is not in the reference"
finish
