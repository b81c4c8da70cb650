#!/bin/sh
# The bad-input corpus: every folder tests/bad/NN-name/ is a plan directory
# with one defect.  `drgen check NN-name`, run from tests/bad (so paths read
# "NN-name/plan.json:3:5: ..."), must
#   - exit with the status in NN-name/exit (default 2), and
#   - print exactly the diagnostic header lines of NN-name/expected
#     ("file:line:col: severity: message"; source excerpts, carets and
#     pointer notes are not compared),
# within a time limit (pathological inputs must not hang).
# Any loader may add cases; to create or refresh an expected file:
#   cd tests/bad && drgen check NN-name 2>&1 | grep -E "$HEADER" > NN-name/expected
. "$DRGEN_ROOT/tests/lib/suite.sh"

HEADER='^[^[:space:]].*: (error|warning|note): '
LIMIT=${BAD_INPUT_TIMEOUT:-20}
cd "$DRGEN_ROOT/tests/bad" || { fail "bad_inputs: no tests/bad folder"; exit 0; }

n=0
for dir in */; do
	name=${dir%/}
	[ -d "$name" ] || continue
	n=$((n + 1))
	if [ ! -f "$name/expected" ]; then
		fail "bad/$name: no expected file"
		continue
	fi
	want=2
	[ -f "$name/exit" ] && want=$(tr -d ' \n' <"$name/exit")
	start=$(date +%s)
	NO_COLOR=1 timeout "$LIMIT" "$DRGEN" check "$name" >"$TMP/out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	grep -E "$HEADER" "$TMP/out" >"$TMP/got"
	if [ "$rc" = "$want" ] && cmp -s "$name/expected" "$TMP/got"; then
		ok "bad/$name"
		continue
	fi
	fail "bad/$name"
	if [ "$rc" = 124 ]; then
		echo "    timed out after ${LIMIT}s"
	elif [ "$rc" != "$want" ]; then
		echo "    exit status $rc, expected $want (${secs}s)"
	fi
	if ! cmp -s "$name/expected" "$TMP/got"; then
		echo "    diagnostics differ (- expected, + got):"
		diff -u "$name/expected" "$TMP/got" | tail -n +3 | sed 's/^/    /'
	fi
	echo "    full output of: cd tests/bad && drgen check $name"
	sed 's/^/    | /' "$TMP/out" | head -40
done
[ "$n" -gt 0 ] || fail "bad_inputs: no cases in tests/bad"
rm -rf "$TMP"
