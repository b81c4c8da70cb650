#!/bin/sh
# The per-build budgets of rendering (drgen help limits): every render is
# bounded on its own, and the sum over all documents of a build is bounded
# too, so a small plan cannot make a build write gigabytes or render for
# hours.  Each case fits every per-render limit and goes past the build's
# budget: the build stops with exit 2 and an error at the template.
. "$DRGEN_ROOT/tests/lib/suite.sh"

LIMIT=${RENDER_BUDGET_TIMEOUT:-300}
SAMPLE=$DRGEN_ROOT/samples/kestrel

# repeat N TEXT: TEXT N times, no newline.
repeat() { awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'; }

# expect_refused NAME MESSAGE: the build of $TMP/NAME failed at a template.
expect_refused() {
	NO_COLOR=1 timeout "$LIMIT" "$DRGEN" build "$TMP/$1" -o "$TMP/$1.out" >"$TMP/$1.txt" 2>&1
	rc=$?
	if [ "$rc" = 2 ] &&
	   grep -Eq "templates/[a-z./]+\\.mustache:[0-9]+:[0-9]+: error: $2 [0-9]+ .*in all \\(the build's budget; see drgen help limits\\)" "$TMP/$1.txt"; then
		ok "render_budget: $1 is refused at its template"
	else
		fail "render_budget: $1 is refused at its template (exit $rc)"
		sed 's/^/    | /' "$TMP/$1.txt" | head -20
	fi
	[ ! -e "$TMP/$1.out" ] || fail "render_budget: the refused build of $1 left $1.out"
}

# Bytes: each Markdown runbook is a 1 MB partial 20 times (20 MB, within
# the 256 MiB of one render); 16 services give 320 MB, past the budget of
# the sample plan (about 264 MiB).
rm -rf "$TMP/bytes"
cp -R "$SAMPLE" "$TMP/bytes"
mkdir -p "$TMP/bytes/templates/partials"
repeat 15625 "$(repeat 64 x)" >"$TMP/bytes/templates/partials/big.mustache"
repeat 20 '{{>partials/big}}
' >"$TMP/bytes/templates/runbook.md.mustache"
expect_refused bytes "documents of this build larger than"

# Steps: each Markdown runbook visits 20 million template nodes (within the
# 50 million of one render); 16 services give 320 million, past the
# budget of the sample plan (about 101 million).
rm -rf "$TMP/steps"
cp -R "$SAMPLE" "$TMP/steps"
mkdir -p "$TMP/steps/templates/partials"
repeat 200000 '{{a}}' >"$TMP/steps/templates/partials/many.mustache"
repeat 100 '{{>partials/many}}' >"$TMP/steps/templates/runbook.md.mustache"
expect_refused steps "rendering this build took more than"

# The budgets are listed.
"$DRGEN" help limits >"$TMP/limits.txt" 2>&1
check "render_budget: help limits lists the output budget" \
	grep -q 'documents of one build' "$TMP/limits.txt"
check "render_budget: help limits lists the step budget" \
	grep -q 'template steps of one build' "$TMP/limits.txt"

# The sample plan, well inside both, still builds.
NO_COLOR=1 timeout "$LIMIT" "$DRGEN" build "$SAMPLE" -o "$TMP/sample.out" >"$TMP/sample.txt" 2>&1
check "render_budget: the sample plan builds" test $? = 0
rm -rf "$TMP"
