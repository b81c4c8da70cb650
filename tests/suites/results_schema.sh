#!/bin/sh
# results.json of the sample plan validates against schema/results.schema.json
# (JSON Schema 2020-12, checked with Debian's python3-jsonschema).
. "$DRGEN_ROOT/tests/lib/suite.sh"

PY=/usr/bin/python3
SCHEMA="$DRGEN_ROOT/schema/results.schema.json"
SAMPLE="$DRGEN_ROOT/samples/kestrel"

if ! [ -x "$PY" ] || ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	skip "results_schema: python3-jsonschema is not installed"
	exit 0
fi

check "results schema is a valid 2020-12 schema" "$PY" -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))
' "$SCHEMA"

if ! [ -x "$DRGEN" ]; then
	skip "results_schema: $DRGEN is not built"
	exit 0
fi
if ! [ -f "$SAMPLE/plan.json" ]; then
	skip "results_schema: samples/kestrel is not there yet"
	exit 0
fi

if "$DRGEN" build "$SAMPLE" -o "$TMP/out" --period 2026-10 -q >"$TMP/build.log" 2>&1; then
	ok "build of the sample writes results"
else
	fail "build of the sample writes results"
	sed 's/^/    /' "$TMP/build.log" | head -20
	exit 0
fi

RESULTS="$TMP/out/evidence/results.json"
validate() {
	"$PY" - "$SCHEMA" "$1" <<'PYEOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
for e in errors[:20]:
    print("    /" + "/".join(map(str, e.absolute_path)) + ": " + e.message)
sys.exit(1 if errors else 0)
PYEOF
}
check "results.json validates against the schema" validate "$RESULTS"

check "results.json as_of and period" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["as_of"] == "2026-11-01T00:00:00Z", d["as_of"]
assert d["period"] == "2026-10", d["period"]
' "$RESULTS"

# Determinism: a second build with the same inputs gives the same bytes.
if "$DRGEN" build "$SAMPLE" -o "$TMP/out2" --period 2026-10 -q >/dev/null 2>&1 &&
   cmp -s "$RESULTS" "$TMP/out2/evidence/results.json"; then
	ok "results.json is byte-identical across builds"
else
	fail "results.json is byte-identical across builds"
fi

# A document that breaks the contract is refused (the schema has teeth).
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
if d["datastores"]:
    d["datastores"][0]["currency"] = "fresh"
else:
    d["period"] = "2026-13"
json.dump(d, open(sys.argv[2], "w"))
' "$RESULTS" "$TMP/broken.json"
if validate "$TMP/broken.json" >/dev/null; then
	fail "schema rejects a broken results.json"
else
	ok "schema rejects a broken results.json"
fi
rm -rf "$TMP"
