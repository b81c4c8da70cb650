#!/bin/sh
# scale_smoke: drgen on a generated plan with the shapes of the large
# benchmark plan (bench/gen_plan.c), at a size the sanitizer build runs in
# seconds: 300 services, 50,000 backup records in 6 files, 500 drills.
# Correctness at scale shapes, not timing (make bench does timing).
. "$DRGEN_ROOT/tests/lib/suite.sh"

GEN="$DRGEN_ROOT/build/gen_plan"
if [ ! -x "$GEN" ]; then
	skip "scale smoke: build/gen_plan is not built (make build/gen_plan)"
	exit 0
fi

PLAN="$TMP/plan"
FLAGS="--services 300 --records 50000 --drills 500 --files 6 --seed 7"
check "gen_plan writes a plan" "$GEN" $FLAGS -o "$PLAN"
"$GEN" $FLAGS --threads 1 -o "$TMP/again" 2>/dev/null
check "gen_plan is deterministic (and independent of threads)" diff -r "$PLAN" "$TMP/again"
n_logs=$(ls "$PLAN"/backups/*.ndjson 2>/dev/null | wc -l)
check "gen_plan writes 6 logs" test "$n_logs" -eq 6
n_lines=$(cat "$PLAN"/backups/*.ndjson | wc -l)
check "the logs hold 50000 records" test "$n_lines" -eq 50000

"$DRGEN" check "$PLAN" --period 2026-10 >"$TMP/check.out" 2>&1
rc=$?
check "check exits 0" test "$rc" -eq 0
check "check counts every record and drill, no errors" \
	grep -q '300 services, .* 50000 backup records, 500 drills; 0 errors' "$TMP/check.out"
check "records of datastores the plan lacks are one warning" \
	grep -q 'backup records name [0-9]* datastores the plan does not have$' "$TMP/check.out"

OUT="$TMP/out"
"$DRGEN" build "$PLAN" -o "$OUT" --period 2026-10 -q >"$TMP/build.out" 2>&1
rc=$?
check "build exits 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$TMP/build.out" | head -20
check "results.json is written" test -s "$OUT/evidence/results.json"
check "the manifest is written" test -s "$OUT/evidence/manifest.json"
n_svc=$(grep -c '"recovery_wave"' "$OUT/evidence/results.json" 2>/dev/null)
check "results.json has the 300 services" test "${n_svc:-0}" -eq 300
deep=$(grep -o '"recovery_wave": *[0-9]*' "$OUT/evidence/results.json" | grep -o '[0-9]*$' | sort -n | tail -1)
check "recovery takes several waves (a deep dependency graph)" test "${deep:-0}" -ge 4

if [ -f "$DRGEN_ROOT/templates/runbook.html.mustache" ]; then
	n_html=$(ls "$OUT"/runbooks/*.html 2>/dev/null | wc -l)
	check "one HTML runbook per service" test "$n_html" -eq 300
	check "the dashboard and the plan are written" test -s "$OUT/index.html" -a -s "$OUT/plan.html"
	check "the audit report of the period is written" test -s "$OUT/audit/2026-10.html"
else
	skip "rendered documents: templates/ not there yet"
fi

"$DRGEN" build "$PLAN" -o "$TMP/out2" --period 2026-10 -q >/dev/null 2>&1
check "a second build gives byte-identical output" diff -r "$OUT" "$TMP/out2"

rm -rf "$TMP"
