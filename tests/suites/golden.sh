#!/bin/sh
# golden.sh -- the small plan in tests/golden/small-plan, built at a fixed
# period and as-of time, must give exactly the files in tests/golden/expected
# (every document in both formats, the evidence files and the manifest).
# After a deliberate change: sh tools/update-golden.sh, then read the diff.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

out=$TMP/golden
unset SOURCE_DATE_EPOCH
if ! "$DRGEN" build tests/golden/small-plan -o "$out" --period 2026-10 \
	--as-of 2026-11-01T00:00:00Z -q 2>"$TMP/build.err"; then
	fail "golden plan builds"; sed 's/^/    /' "$TMP/build.err"; exit 0
fi
ok "golden plan builds"
if diff -ru tests/golden/expected "$out" >"$TMP/golden.diff" 2>&1; then
	ok "output matches tests/golden/expected ($(find "$out" -type f | wc -l) files)"
else
	fail "output matches tests/golden/expected (run tools/update-golden.sh after a deliberate change)"
	head -80 "$TMP/golden.diff" | sed 's/^/    /'
fi
