# JUnit drills from real runners (issue 15): the sample plus the real
# pytest 7.2.1, gotestsum 1.8.2 and Maven Surefire reports of
# tests/formats/junit/ (copied from ../shared/formats/junit, see
# tests/formats/README.md), with sidecars for what the runners cannot
# write, builds end to end; without the sidecars, each file gives located
# errors saying what to add.
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v jq >/dev/null || { skip "junit runners: jq not installed"; exit 0; }
FX="$DRGEN_ROOT/tests/formats/junit"
P="$TMP/plan"
cp -R "$DRGEN_ROOT/samples/kestrel" "$P"
cp "$FX/junit-pytest-7.2.1.xml" "$P/drills/ci-pytest.xml"
cat >"$P/drills/ci-pytest.xml.json" <<'J'
{"tz": "+01:00",
 "services": {"test_card_authorization_failover": "card-authorization",
              "tests.test_failover.test_ledger_failover": "ledger",
              "test_internal_wiki_failover": "internal-wiki"}}
J
cp "$FX/junit-gotestsum-1.8.2.xml" "$P/drills/ci-go.xml"
cat >"$P/drills/ci-go.xml.json" <<'J'
{"id": "2026-12-go-failover", "type": "partial_failover",
 "services": {"TestLedgerFailover": "ledger",
              "TestInternalWikiFailover": "internal-wiki",
              "TestCardAuthorizationFailover": "card-authorization"}}
J
cp "$FX/surefire-dhis2.TEST.xml" "$P/drills/2026-12-01-surefire.xml"
echo '{"id": "2026-12-surefire", "type": "tabletop"}' >"$P/drills/2026-12-01-surefire.xml.json"
# The gotestsum report with every testcase skipped: a technical drill
# that recorded nothing.
sed -e 's|<failure[^>]*>[^<]*</failure>|<skipped message="not run"></skipped>|' \
    -e 's|time="0.000000"></testcase>|time="0.000000"><skipped message="not run"></skipped></testcase>|' \
	"$FX/junit-gotestsum-1.8.2.xml" >"$P/drills/ci-go-skipped.xml"
cat >"$P/drills/ci-go-skipped.xml.json" <<'J'
{"id": "2026-12-go-skipped", "type": "partial_failover",
 "services": {"TestLedgerFailover": "ledger",
              "TestInternalWikiFailover": "internal-wiki",
              "TestCardAuthorizationFailover": "card-authorization"}}
J

# The sidecars match schema/drill-sidecar.schema.json (Debian's python3-jsonschema).
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	for f in "$P"/drills/*.xml.json; do
		check "junit runners: $(basename "$f") matches drill-sidecar.schema.json" sh -c \
			"/usr/bin/python3 '$DRGEN_ROOT/tests/tools/validate_schema.py' '$DRGEN_ROOT/schema/drill-sidecar.schema.json' '$f' >/dev/null"
	done
	echo '{"tz": "Europe/Berlin"}' >"$TMP/badzone.json"
	check "junit runners: the sidecar schema refuses a named zone" sh -c \
		"/usr/bin/python3 '$DRGEN_ROOT/tests/tools/validate_schema.py' '$DRGEN_ROOT/schema/drill-sidecar.schema.json' '$TMP/badzone.json' >/dev/null 2>&1; [ \$? -eq 1 ]"
else
	skip "junit runners: sidecar schema: python3-jsonschema is not installed"
fi

"$DRGEN" build "$P" -o "$TMP/out" --period 2026-12 -q 2>"$TMP/build.err"
check "junit runners: the sample plus pytest, gotestsum and Surefire reports builds" test $? -eq 0
R="$TMP/out/evidence/results.json"
# drill ID FIELDS: the drill's fields (a jq string expression) in results.json.
drill() { jq -r --arg id "$1" "[.. | objects | select(.id? == \$id and has(\"source\"))][0] | $2" "$R"; }
check "junit runners: pytest drill id from its suite property, date read at +01:00" \
	test "$(drill 2026-10-ci-failover '.date + " " + .source + " " + .status')" = "2026-12-03T18:39:30Z drills/ci-pytest.xml fail"
check "junit runners: gotestsum drill id from the sidecar, date from its offset" \
	test "$(drill 2026-12-go-failover '.date + " " + .status')" = "2026-12-03T18:39:43Z fail"
check "junit runners: Surefire drill dated by its file name" \
	test "$(drill 2026-12-surefire .date)" = "2026-12-01T00:00:00Z"
check "junit runners: the sidecars are read, not taken for drill JSON" \
	sh -c "! grep -q 'xml.json' '$TMP/build.err'"
check "junit runners: a technical drill whose testcases were all skipped is NO DATA, not a pass" \
	test "$(drill 2026-12-go-skipped '.status + " " + (.passed | tostring) + " " + (.results | length | tostring)')" = "no_data false 0"
"$DRGEN" check "$P" --period 2026-12 >"$TMP/skipped.out" 2>&1
check "junit runners: ... and check warns that it records only that the drill ran" \
	grep -q 'ci-go-skipped.xml:[0-9]*: warning: no testcase of this drill counts as a result' "$TMP/skipped.out"
check "junit runners: a tabletop exercise with no results still passes" \
	test "$(drill 2026-12-surefire .status)" = pass

# Without sidecars: errors with file, line and element path, exit status 2.
rm "$P"/drills/*.xml.json
"$DRGEN" check "$P" --period 2026-12 >"$TMP/check.out" 2>&1
check "junit runners: without sidecars, check exits 2" test $? -eq 2
check "junit runners: a module-path classname is a located error naming the fix" \
	grep -q 'ci-pytest.xml:1: error: no service for testcase "tests.test_failover.test_ledger_failover": classname "tests.test_failover" is not a service id' "$TMP/check.out"
check "junit runners: gotestsum's missing drill.id names the sidecar" \
	grep -q 'ci-go.xml:3: error: missing property "drill.id" in <testsuite> (or "id" in the sidecar drills/ci-go.xml.json)' "$TMP/check.out"

# A broken sidecar: located in the sidecar.
printf '{"id": "x",\n "tz": "Europe/Berlin"}\n' >"$P/drills/ci-go.xml.json"
"$DRGEN" check "$P" --period 2026-12 >"$TMP/check2.out" 2>&1
check "junit runners: a bad zone in a sidecar is located there" \
	grep -q 'ci-go.xml.json:2:8: error: invalid value for "tz"' "$TMP/check2.out"
rm -rf "$TMP"
