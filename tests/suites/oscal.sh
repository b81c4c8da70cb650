#!/bin/sh
# OSCAL (issue 17; docs/oscal.md): every build that writes json writes
# evidence/system-security-plan.json, assessment-plan.json and
# assessment-results.json.  On the sample and on a generated plan of the
# benchmark's shapes, the three validate against NIST's schemas (copied in
# tests/oscal/), every UUID reference and import resolves, and every
# control is one finding with drgen's status (tests/tools/validate_oscal.py).
# Two builds of the same inputs are byte-identical; a control's finding and
# a service's component keep their UUIDs from one period to the next, while
# the period's own elements change theirs.
. "$DRGEN_ROOT/tests/lib/suite.sh"
SAMPLE="$DRGEN_ROOT/samples/kestrel"
PY=/usr/bin/python3
V="$PY $DRGEN_ROOT/tests/tools/validate_oscal.py $DRGEN_ROOT/tests/oscal"
export SOURCE_DATE_EPOCH=1780000000    # 2026-05-28T20:26:40Z

build() {   # build OUT PERIOD [PLAN]
	"$DRGEN" build "${3:-$SAMPLE}" -o "$1" --period "$2" >"$TMP/build.out" 2>&1 ||
		{ fail "oscal: the build of $2 failed"; sed 's/^/    /' "$TMP/build.out" | head -5; }
}
build "$TMP/a" 2026-10
build "$TMP/b" 2026-10
build "$TMP/sep" 2026-09

for f in system-security-plan assessment-plan assessment-results; do
	check "oscal: evidence/$f.json is written and listed in the manifest" \
		grep -q "\"evidence/$f.json\"" "$TMP/a/evidence/manifest.json"
	check "oscal: $f.json is byte-identical across two builds" \
		cmp -s "$TMP/a/evidence/$f.json" "$TMP/b/evidence/$f.json"
done

if [ -x "$PY" ] && "$PY" -c 'import jsonschema, regex' 2>/dev/null; then
	if $V "$TMP/a/evidence" >"$TMP/v.out" 2>&1; then
		ok "oscal: the sample's documents validate, resolve and carry every control"
	else
		fail "oscal: the sample's documents"; sed 's/^/    /' "$TMP/v.out" | head -20
	fi
	GEN="$DRGEN_ROOT/build/gen_plan"
	if [ -x "$GEN" ]; then
		"$GEN" --services 300 --records 20000 --drills 200 --files 2 --seed 11 \
			-o "$TMP/gen" >/dev/null 2>&1
		build "$TMP/genout" 2026-10 "$TMP/gen"
		if $V "$TMP/genout/evidence" >"$TMP/v2.out" 2>&1; then
			ok "oscal: a generated 300-service plan's documents validate and resolve"
		else
			fail "oscal: the generated plan's documents"; sed 's/^/    /' "$TMP/v2.out" | head -20
		fi
	else
		skip "oscal: build/gen_plan is not built, the generated plan is not checked"
	fi
	# The validator itself: a broken copy is refused.
	cp -R "$TMP/a/evidence" "$TMP/broken"
	"$PY" - "$TMP/broken/assessment-results.json" <<'PYEOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
r = d["assessment-results"]["results"][0]
r["findings"][0]["target"]["status"]["state"] = "unknown"
r["findings"][1]["related-observations"] = [{"observation-uuid": "00000000-0000-4000-8000-000000000000"}]
json.dump(d, open(p, "w"))
PYEOF
	$V "$TMP/broken" >"$TMP/v3.out" 2>&1
	if [ $? -eq 1 ] && grep -q "not one of" "$TMP/v3.out" && grep -q "resolves to nothing" "$TMP/v3.out"; then
		ok "oscal: the validator refuses a bad status and a dangling reference"
	else
		fail "oscal: the validator let a broken document through"; sed 's/^/    /' "$TMP/v3.out" | head -5
	fi
else
	skip "oscal: /usr/bin/python3 lacks jsonschema or regex (Debian python3-jsonschema, python3-regex), the documents are not validated"
fi

# What lasts keeps its UUID; what belongs to a period does not.
"$PY" - "$TMP/a/evidence/assessment-results.json" "$TMP/sep/evidence/assessment-results.json" \
	"$TMP/a/evidence/system-security-plan.json" "$TMP/sep/evidence/system-security-plan.json" \
	>"$TMP/uuids.out" 2>&1 <<'PYEOF'
import json, sys
a, b = (json.load(open(p))["assessment-results"] for p in sys.argv[1:3])
sa, sb = (json.load(open(p))["system-security-plan"] for p in sys.argv[3:5])
def finding(doc, fw, control):
    for f in doc["results"][0]["findings"]:
        props = {p["name"]: p["value"] for p in f.get("props", [])}
        if props.get("framework") == fw and props.get("control") == control:
            return f["uuid"]
def component(ssp, sid):
    for c in ssp["system-implementation"]["components"]:
        if any(p["name"] == "service-id" and p["value"] == sid for p in c.get("props", [])):
            return c["uuid"]
out = []
out.append("finding %s" % (finding(a, "iso27001", "A.8.13") == finding(b, "iso27001", "A.8.13") != None))
out.append("component %s" % (component(sa, "ledger") == component(sb, "ledger") != None))
out.append("result %s" % (a["results"][0]["uuid"] != b["results"][0]["uuid"]))
out.append("document %s" % (a["uuid"] != b["uuid"]))
out.append("modified %s" % a["metadata"]["last-modified"])
parties = {p["uuid"] for p in a["metadata"]["parties"]}
waived = [f for f in a["results"][0]["findings"]
          if any(p["name"] == "drgen-status" and p["value"] == "waived" for p in f["props"])]
ok = bool(waived)
for f in waived:
    props = [p for p in f["props"] if p["name"].startswith("exception")]
    names = {p["name"] for p in props}
    approvers = [p["value"] for p in props if p["name"] == "exception-approver"]
    ok = ok and {"exception", "exception-approver", "exception-approved-on",
                 "exception-expires"} <= names and all(x in parties for x in approvers)
out.append("waivers %s" % ok)
print("\n".join(out))
PYEOF
check "oscal: a control's finding keeps its UUID across periods" grep -qx "finding True" "$TMP/uuids.out"
check "oscal: a service's component keeps its UUID across periods" grep -qx "component True" "$TMP/uuids.out"
check "oscal: the result and the document have a UUID of their period" \
	sh -c "grep -qx 'result True' '$TMP/uuids.out' && grep -qx 'document True' '$TMP/uuids.out'"
check "oscal: last-modified is SOURCE_DATE_EPOCH" grep -qx "modified 2026-05-28T20:26:40Z" "$TMP/uuids.out"
check "oscal: a waived control names its exceptions, approvers (parties), approval and expiry" \
	grep -qx "waivers True" "$TMP/uuids.out"

# Without json output, no OSCAL.
"$DRGEN" build "$SAMPLE" -o "$TMP/nojson" --period 2026-10 --format html,md >/dev/null 2>&1
check "oscal: --format html,md writes no OSCAL document" \
	test ! -e "$TMP/nojson/evidence/assessment-results.json"
