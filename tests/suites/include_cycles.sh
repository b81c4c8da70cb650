#!/bin/sh
# include_cycles.sh -- no two modules of src/ include each other's header
# (tools/check-include-cycles.sh; README "Code layout").  The check itself
# is tried first on a made-up folder with a cycle, so a broken check cannot
# pass src/ by finding nothing.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

tool=tools/check-include-cycles.sh
if ! command -v python3 >/dev/null 2>&1; then
	skip "no include cycles in src: python3 not installed"; exit 0
fi

mkdir -p "$TMP/cyc"
printf '#include "b.h"\n' >"$TMP/cyc/a.c"
printf '#include "a.h"\n' >"$TMP/cyc/b_int.h"
: >"$TMP/cyc/a.h"; : >"$TMP/cyc/b.h"
if sh "$tool" "$TMP/cyc" >"$TMP/cyc.out" 2>&1; then
	fail "the check finds a planted cycle (it exited 0)"
elif grep -q '^a <-> b ' "$TMP/cyc.out"; then
	ok "the check finds a planted cycle"
else
	fail "the check finds a planted cycle"; sed 's/^/    /' "$TMP/cyc.out"
fi

if sh "$tool" src >"$TMP/src.out" 2>&1; then
	ok "no include cycles in src"
else
	fail "no include cycles in src (move the shared declarations down into a header of their own)"
	sed 's/^/    /' "$TMP/src.out"
fi
