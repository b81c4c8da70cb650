#!/bin/sh
# The JSON Schemas in schema/ against the Kestrel sample: the schemas are
# valid draft 2020-12, every input of the sample validates (plan.json, every
# line of every backup log, every drill file), broken copies are refused,
# and the committed backup logs are exactly what tools/gen-sample-backups.py
# writes.  Needs Debian's python3-jsonschema (make deps installs it); the
# pyenv python3 first on some PATHs lacks it, so /usr/bin/python3 is used.
. "$DRGEN_ROOT/tests/lib/suite.sh"

ROOT=$DRGEN_ROOT
SAMPLE=$ROOT/samples/kestrel
SCHEMA=$ROOT/schema
PY=/usr/bin/python3
V="$PY $ROOT/tests/tools/validate_schema.py"
LOG=$TMP/schemas.log

# validates NAME [--ndjson] SCHEMA FILE: ok when FILE is valid.
validates() {
	what=$1; shift
	if $V "$@" >"$LOG" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' "$LOG" | head -20; fi
}
# refused NAME [--ndjson] SCHEMA FILE: ok when FILE is invalid (exit 1).
refused() {
	what=$1; shift
	$V "$@" >"$LOG" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ]; then ok "$what"; else fail "$what (exit $rc)"; sed 's/^/    /' "$LOG" | head -5; fi
}

if ! [ -x "$PY" ] || ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	skip "schemas: python3-jsonschema is not installed for $PY (make deps)"
	exit 0
fi

for s in plan backup-record drill; do
	validates "schema/$s.schema.json is a valid draft 2020-12 schema" \
		--check-schema "$SCHEMA/$s.schema.json"
done

validates "sample plan.json matches plan.schema.json" "$SCHEMA/plan.schema.json" "$SAMPLE/plan.json"

count=0
for f in "$SAMPLE"/backups/*.ndjson; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	validates "every record of backups/$(basename "$f") matches backup-record.schema.json" \
		--ndjson "$SCHEMA/backup-record.schema.json" "$f"
done
check "the sample has backup logs" [ "$count" -gt 0 ]

count=0
for f in "$SAMPLE"/drills/*.json; do
	[ -f "$f" ] || continue
	count=$((count + 1))
	validates "drills/$(basename "$f") matches drill.schema.json" "$SCHEMA/drill.schema.json" "$f"
done
check "the sample has JSON drills" [ "$count" -gt 0 ]

# Broken copies must be refused, or the checks above prove nothing.
mutate() {  # mutate IN OUT PYTHON-STATEMENT (on variable d)
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))' "$1" "$2" "$3"
}
mutate "$SAMPLE/plan.json" "$TMP/tier9.json" 'd["services"][0]["tier"] = 9'
refused "plan.schema.json refuses tier 9" "$SCHEMA/plan.schema.json" "$TMP/tier9.json"
mutate "$SAMPLE/plan.json" "$TMP/typo.json" 'd["services"][0]["depend_on"] = d["services"][0].pop("depends_on")'
refused "plan.schema.json refuses a misspelt key (depend_on)" "$SCHEMA/plan.schema.json" "$TMP/typo.json"
mutate "$SAMPLE/plan.json" "$TMP/crit.json" 'd["services"][0]["datastores"][0]["criticality"] = "vital"'
refused "plan.schema.json refuses an unknown criticality" "$SCHEMA/plan.schema.json" "$TMP/crit.json"

first=$(ls "$SAMPLE"/backups/*.ndjson | head -1)
head -1 "$first" | sed 's/"status":"[a-z]*"/"status":"ok"/' >"$TMP/status.ndjson"
refused "backup-record.schema.json refuses status \"ok\"" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/status.ndjson"
head -1 "$first" | sed 's/"started":"\([^"]*\)[+-][0-9][0-9]:[0-9][0-9]"/"started":"\1"/; s/"started":"\([^"]*\)Z"/"started":"\1"/' >"$TMP/offset.ndjson"
refused "backup-record.schema.json refuses a time without offset" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/offset.ndjson"
head -1 "$first" | sed 's/,"finished":"[^"]*"//' >"$TMP/unfinished.ndjson"
refused "backup-record.schema.json refuses a finished job without \"finished\"" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/unfinished.ndjson"

hist="$SAMPLE/backups/restore-test-history.ndjson"
head -1 "$hist" | sed 's/,"tested_backup":"[^"]*"//' >"$TMP/untested.ndjson"
refused "backup-record.schema.json refuses a restore test that names no tested backup" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/untested.ndjson"
head -1 "$hist" | sed 's/"method":"restore"/"method":"verify"/' >"$TMP/method.ndjson"
refused "backup-record.schema.json refuses restore-test method \"verify\"" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/method.ndjson"
head -1 "$first" | sed 's/"datastore"/"provenance":[1],"datastore"/' >"$TMP/provenance.ndjson"
refused "backup-record.schema.json refuses a provenance that is not an object" --ndjson "$SCHEMA/backup-record.schema.json" "$TMP/provenance.ndjson"

mutate "$SAMPLE/drills/2026-h1-programme.json" "$TMP/drilltype.json" 'd[0]["type"] = "fire_drill"'
refused "drill.schema.json refuses drill type fire_drill" "$SCHEMA/drill.schema.json" "$TMP/drilltype.json"
mutate "$SAMPLE/drills/2026-10-06-full-simulation.json" "$TMP/integrity.json" 'd["results"][0]["data_integrity"] = 1.5'
refused "drill.schema.json refuses data_integrity 1.5" "$SCHEMA/drill.schema.json" "$TMP/integrity.json"

# The committed logs are the generator's output (so anyone can regenerate).
if "$PY" "$ROOT/tools/gen-sample-backups.py" --out "$TMP/backups" >/dev/null 2>"$LOG" &&
   diff -r "$SAMPLE/backups" "$TMP/backups" >"$LOG" 2>&1; then
	ok "samples/kestrel/backups is what tools/gen-sample-backups.py writes"
else
	fail "samples/kestrel/backups is what tools/gen-sample-backups.py writes"
	head -5 "$LOG" | cut -c1-200 | sed 's/^/    /'
fi

if command -v xmllint >/dev/null 2>&1; then
	for f in "$SAMPLE"/drills/*.xml; do
		[ -f "$f" ] || continue
		check "drills/$(basename "$f") is well-formed XML" xmllint --noout --nonet "$f"
	done
else
	skip "JUnit drill files: xmllint is not installed"
fi
