#!/bin/sh
# compliance.sh -- the compliance rules end to end: every fixture plan of
# tests/compliance/CASE/plan judged at a fixed as-of time must give exactly
# the control statuses pinned in CASE/expected.tsv (framework, control,
# status); --fail-on exit codes after a complete build; --previous with a
# changed plan; bad --previous files and framework names; the sample's
# statuses are a plausible mix with reasons and evidence.
#
#   sh tests/suites/compliance.sh --update   rewrites every expected.tsv
#                                            (review the diff before committing)
. "$DRGEN_ROOT/tests/lib/suite.sh"

CASES="$DRGEN_ROOT/tests/compliance"
AS_OF=2026-11-01T00:00:00Z
ERR="$TMP/stderr"

if ! command -v jq >/dev/null 2>&1; then
	skip "compliance: jq is not installed (make deps)"
	exit 0
fi
if ! [ -x "$DRGEN" ]; then
	skip "compliance: $DRGEN is not built"
	exit 0
fi

build() { "$DRGEN" build "$@" --as-of "$AS_OF" -q 2>"$ERR"; }
# jqe FILTER FILE...: jq -e, quietly (for check)
jqe() { jq -e "$@" >/dev/null; }
statuses() { jq -r '.controls[] | [.framework, .control, .status] | @tsv' "$1/evidence/results.json"; }

# ---- pinned statuses per case --------------------------------------------------
for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/plan/plan.json" ] || continue
	out="$TMP/$name"
	build "$dir/plan" -o "$out"; rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name: build exits $rc"
		sed 's/^/    /' "$ERR" | head -20
		continue
	fi
	if [ "${1:-}" = "--update" ]; then
		statuses "$out" >"$dir/expected.tsv"
		ok "$name: expected.tsv rewritten"
		continue
	fi
	statuses "$out" >"$TMP/$name.tsv"
	if diff -u "$dir/expected.tsv" "$TMP/$name.tsv" >"$TMP/$name.diff"; then
		ok "$name: $(wc -l <"$dir/expected.tsv") control statuses as pinned"
	else
		fail "$name: control statuses differ from expected.tsv"
		sed 's/^/    /' "$TMP/$name.diff" | head -40
	fi
	# Every control has a reason and an evidence list; waived ones name the exception.
	check "$name: every control has a reason and evidence" jqe \
		'all(.controls[]; (.reason | type == "string" and length > 0) and (.evidence | type == "array"))' \
		"$out/evidence/results.json"
	check "$name: waived controls carry their exception" jqe \
		'all(.controls[] | select(.status == "waived"); .exception.justification and .exception.approved_by)' \
		"$out/evidence/results.json"
	check "$name: per-framework counts add up" jqe \
		'[.compliance.frameworks[].total] | add == (input | .controls | length)' \
		"$out/evidence/results.json" "$out/evidence/results.json"
done
[ "${1:-}" = "--update" ] && exit 0

# ---- what the fixtures are for ----------------------------------------------------
R="$TMP/gaps/evidence/results.json"
status_of() { jq -r --arg f "$2" --arg c "$3" '.controls[] | select(.framework == $f and .control == $c) | .status' "$1"; }
check "gaps: an active exception waives ISO 27001 A.8.14" \
	test "$(status_of "$R" iso27001 A.8.14)" = waived
check "gaps: an expired exception is not applied and is named" jqe \
	'.controls[] | select(.framework == "soc2" and .control == "A1.2") | .status == "fail" and (.reason | contains("expired on 2026-10-01 and is not applied"))' \
	"$R"
check "gaps: the expired exception is a finding that names it by its id" jqe \
	'[.findings[] | select(.kind == "exception_expired")] | length > 0 and all(.message | test("^the exception [^ ]+ for "))' "$R"
check "gaps: an expired attestation leaves an attestation-only control at attest" \
	test "$(status_of "$R" iso22301 9.2)" = attest
check "gaps: a missing attestation caps passing checks at partial" jqe \
	'.controls[] | select(.framework == "iso22301" and .control == "8.2.1") | .status == "partial" and (.reason | startswith("attestation outstanding"))' \
	"$R"
check "healthy: a current attestation passes" \
	test "$(status_of "$TMP/healthy/evidence/results.json" iso22301 9.2)" = pass
check "scope: no ephi service, every HIPAA control n/a" jqe \
	'[.controls[] | select(.framework == "hipaa") | .status] | length > 0 and all(. == "n/a")' \
	"$TMP/scope/evidence/results.json"
check "scope: a microenterprise is DORA's microenterprise regime (not Art. 16's simplified framework)" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "microenterprise"' \
	"$TMP/scope/evidence/results.json"
check "attest controls say what to ask the auditee for" jqe \
	'all(.controls[] | select(.status == "attest"); .ask | type == "string")' "$R"

# ---- --fail-on ----------------------------------------------------------------------
H="$CASES/healthy/plan"
build "$H" -o "$TMP/f1" --fail-on fail; rc=$?
check "--fail-on fail: exit 0 when no control fails (healthy)" test "$rc" -eq 0
build "$H" -o "$TMP/f2" --fail-on partial; rc=$?
check "--fail-on partial: exit 1 when a control is partial or attest (healthy)" test "$rc" -eq 1
check "--fail-on: everything is written before exit 1" \
	test -f "$TMP/f2/evidence/results.json" -a -f "$TMP/f2/evidence/manifest.json"
build "$CASES/gaps/plan" -o "$TMP/f3" --fail-on fail; rc=$?
check "--fail-on fail: exit 1 when a control fails (gaps)" test "$rc" -eq 1
build "$CASES/gaps/plan" -o "$TMP/f4"; rc=$?
check "no --fail-on: exit 0 even with failing controls" test "$rc" -eq 0

# ---- --previous -----------------------------------------------------------------------
cp -R "$H" "$TMP/changed"
jq '(.services[] | select(.id == "pay") | .regions) = ["r1"]
    | .attestations |= map(select(.topic != "internal_audit"))
    | (.services[] | select(.id == "portal") | .impact.revenue_loss_per_hour) = 5000' \
	"$H/plan.json" >"$TMP/changed/plan.json"
build "$TMP/changed" -o "$TMP/p2" --previous "$TMP/f1"; rc=$?
C="$TMP/p2/evidence/results.json"
check "--previous OUT: build succeeds" test "$rc" -eq 0
check "--previous: controls that went from passing to failing come first" jqe \
	'.changes.controls_worse | length > 0 and .[0].regression == true and (.[0].from | IN("pass", "waived", "n/a"))' \
	"$C"
check "--previous: regressions before other worsening" jqe \
	'[.changes.controls_worse[].regression] | . == (sort | reverse)' "$C"
check "--previous: ISO 22301 9.2 regressed to attest" jqe \
	'any(.changes.controls_worse[]; .framework == "iso22301" and .control == "9.2" and .to == "attest")' \
	"$C"
check "--previous: new single-region finding" jqe \
	'any(.changes.findings_new[]; .kind == "single_region")' "$C"
check "--previous: portal's tier change is listed" jqe \
	'any(.changes.services_changed[]; .id == "portal" and any(.changes[]; .field == "tier"))' \
	"$C"
prev_sha=$(sha256sum "$TMP/f1/evidence/results.json" | cut -c1-64)
check "--previous: the manifest names the compared results.json by its SHA-256" jqe \
	--arg sha "$prev_sha" '.previous.sha256 == $sha and .previous.period == "2026-10"' \
	"$TMP/p2/evidence/manifest.json"
check "--previous: the manifest holds no machine path of it" \
	sh -c '! grep -q "$0" "$1"' "$TMP" "$TMP/p2/evidence/manifest.json"
check "without --previous the manifest has no previous" jqe 'has("previous") | not' \
	"$TMP/f1/evidence/manifest.json"
build "$TMP/changed" -o "$TMP/p3" --previous "$TMP/f1/evidence/results.json"; rc=$?
check "--previous RESULTS_JSON: same changes as with the folder" \
	sh -c 'test "$0" -eq 0 && cmp -s "$1" "$2"' "$rc" "$C" "$TMP/p3/evidence/results.json"
build "$H" -o "$TMP/p4" --previous "$TMP/f1"
check "--previous: the same plan twice has no changes" jqe \
	'.changes.has_changes == false and .changes.summary.readiness == "same"' \
	"$TMP/p4/evidence/results.json"

printf '{"drgen_version": "1", "as_of": ' >"$TMP/truncated.json"
build "$H" -o "$TMP/p4" --previous "$TMP/truncated.json"; rc=$?
check "--previous malformed: exit 2 naming the file" \
	sh -c 'test "$0" -eq 2 && grep -q "truncated.json" "$1"' "$rc" "$ERR"
check "--previous malformed: the previous output is untouched" jqe \
	'.changes.has_changes == false' "$TMP/p4/evidence/results.json"
build "$H" -o "$TMP/p5" --previous "$TMP/missing"; rc=$?
check "--previous missing: exit 2 naming the file" \
	sh -c 'test "$0" -eq 2 && grep -q "missing" "$1"' "$rc" "$ERR"
echo '[1, 2]' >"$TMP/array.json"
build "$H" -o "$TMP/p5" --previous "$TMP/array.json"; rc=$?
check "--previous not a results.json: exit 2" \
	sh -c 'test "$0" -eq 2 && grep -q "not a drgen results.json" "$1"' "$rc" "$ERR"

# ---- bad framework names and profiles --------------------------------------------------------
cp -R "$H" "$TMP/badfw"
jq '.compliance.frameworks = ["iso27001", "sox"]' "$H/plan.json" >"$TMP/badfw/plan.json"
build "$TMP/badfw" -o "$TMP/b1"; rc=$?
check "unknown framework: exit 2 naming it" \
	sh -c 'test "$0" -eq 2 && grep -q "compliance/sox" "$1"' "$rc" "$ERR"
jq '.compliance.profile = {"review_max_age_dayz": 10, "drill_grace": "x"}' "$H/plan.json" >"$TMP/badfw/plan.json"
"$DRGEN" build "$TMP/badfw" -o "$TMP/b2" --as-of "$AS_OF" 2>"$ERR"; rc=$?
check "unknown profile setting: a warning, the build goes on" \
	sh -c 'test "$0" -eq 0 && grep -q "unknown setting \"review_max_age_dayz\"" "$1" && test "$(grep -c "review_max_age_dayz" "$1")" -eq 1' "$rc" "$ERR"
check "profile setting of the wrong type: a warning" grep -q 'drill_grace: expected a number' "$ERR"

# ---- the sample ------------------------------------------------------------------------------------
SAMPLE="$DRGEN_ROOT/samples/kestrel"
if [ -f "$SAMPLE/plan.json" ]; then
	build "$SAMPLE" -o "$TMP/sample"; rc=$?
	S="$TMP/sample/evidence/results.json"
	check "sample: builds" test "$rc" -eq 0
	check "sample: all seven frameworks evaluated" jqe \
		'[.compliance.frameworks[].framework] == ["iso22301","iso27001","soc2","nist80053","hipaa","pci","dora"]' \
		"$S"
	check "sample: a mix of statuses (at least five kinds)" jqe \
		'[.controls[].status] | unique | length >= 5' "$S"
	check "sample: failing controls cite evidence" jqe \
		'all(.controls[] | select(.status == "fail"); .evidence | length > 0)' "$S"
else
	skip "compliance: samples/kestrel is not there"
fi
