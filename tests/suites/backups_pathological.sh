#!/bin/sh
# Pathological backup logs, each under a time limit (cmark's
# pathological_tests.py is the model): `drgen check` on a plan whose
# backups/ holds one bad log must name exactly the bad lines, exit 2, and
# finish in time -- no hang, no crash, no memory blow-up.  The big logs are
# generated here into $TMP, never committed.
. "$DRGEN_ROOT/tests/lib/suite.sh"

LIMIT=${BACKUPS_TIMEOUT:-60}
HEADER='^[^[:space:]].*: (error|warning|note): '
PLAN="$TMP/plan"
LOG="$PLAN/backups/log.ndjson"
mkdir -p "$PLAN/backups"

cat >"$PLAN/plan.json" <<'EOF'
{
  "drgen": 1,
  "organization": {"id": "patho", "name": "Pathological Ltd", "entity_type": "company"},
  "plan": {"version": "1", "owner": "ops", "approved_by": "ops",
           "approved_on": "2026-01-01", "last_review": "2026-01-01",
           "next_review": "2027-01-01"},
  "regions": [{"id": "eu-west-1", "role": "primary"}],
  "contacts": [{"id": "ops", "name": "Ops", "role": "on-call", "email": "ops@example.com",
                "phone": "+1 555 0100", "team": "ops", "last_verified": "2026-10-01"}],
  "services": [{"id": "api", "name": "API", "owner": "ops", "team": "ops",
                "impact": {"revenue_loss_per_hour": 500},
                "regions": ["eu-west-1"],
                "datastores": [{"id": "api-db", "engine": "postgres",
                                "criticality": "standard", "size_gb": 1}]}]
}
EOF

# good_lines N: N valid records of about 270 bytes.
good_lines() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "{\"id\":\"job-%08d\",\"datastore\":\"api-db\",\"type\":\"incremental\"," \
			       "\"started\":\"2026-10-%02dT01:00:00Z\",\"finished\":\"2026-10-%02dT01:10:00+00:00\"," \
			       "\"status\":\"success\",\"bytes\":%d,\"location\":\"primary\",\"region\":\"eu-west-1\"," \
			       "\"encryption\":\"aes-128-cbc\",\"compression\":\"lz4\",\"retention_days\":30}\n",
			       i, i % 28 + 1, i % 28 + 1, i * 7
	}'
}

# run NAME WANT_STATUS EXPECTED_FILE: drgen check, compared on header lines
# with the plan path cut, so expected text reads "backups/log.ndjson:...".
# Both sides are sorted: where a file-level note lands is the printer's call.
run() {
	name=$1 want=$2 expected=$3
	start=$(date +%s)
	NO_COLOR=1 timeout "$LIMIT" "$DRGEN" check "$PLAN" >"$TMP/out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	grep -E "$HEADER" "$TMP/out" | sed "s|^$PLAN/||" | LC_ALL=C sort >"$TMP/got"
	LC_ALL=C sort "$expected" >"$TMP/want"
	if [ "$rc" = "$want" ] && cmp -s "$TMP/want" "$TMP/got"; then
		ok "backups/$name (${secs}s)"
		return
	fi
	fail "backups/$name"
	[ "$rc" = 124 ] && echo "    timed out after ${LIMIT}s"
	echo "    exit status $rc, expected $want"
	diff "$TMP/want" "$TMP/got" | head -20 | sed 's/^/    /'
}

if [ ! -x "$DRGEN" ]; then
	skip "backups: no $DRGEN to run"
	exit 0
fi

# The plan itself must pass, or nothing below means anything.
good_lines 3 >"$LOG"
: >"$TMP/none"
run valid-plan 0 "$TMP/none"

# 1. About 50 MB of good records, one bad record at the very end.
n=200000
good_lines $n >"$LOG"
printf '{"id":"last","datastore":"api-db","type":"full","started":"2026-10-31T01:00:00Z","finished":"2026-10-31T02:00:00Z","status":"sucess","location":"primary"}\n' >>"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:$((n + 1)):125: error: invalid "status" value "sucess" (did you mean "success"?)
EOF
run big-file-bad-last-line 2 "$TMP/expected"

# 2. The same bad line in the middle of a file without a final newline.
good_lines 1000 >"$LOG"
printf '{"id":"mid","datastore":"api-db","type":"full","started":"2026-10-31T01:00:00Z","finished":"2026-10-30T02:00:00Z","status":"success","location":"primary"}\n' >>"$LOG"
good_lines 1000 | head -c -1 >>"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:1001:92: error: "finished" is before "started"
EOF
run bad-line-no-final-newline 2 "$TMP/expected"

# 3. One line just over the limit (1 MiB), between good lines.
good_lines 10 >"$LOG"
{ printf '{"id":"'; head -c 1048576 /dev/zero | tr '\0' x; printf '"}\n'; } >>"$LOG"
good_lines 10 >>"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:11:1: error: line longer than the limit of 1048576 bytes
EOF
run line-over-limit 2 "$TMP/expected"

# 4. A 64 MB single line without any newline.
head -c 67108864 /dev/zero | tr '\0' '[' >"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:1:1: error: line longer than the limit of 1048576 bytes
EOF
run huge-single-line 2 "$TMP/expected"

# 5. Deep nesting inside an unknown key: an error, not a stack overflow.
{ printf '{"x":'; head -c 500000 /dev/zero | tr '\0' '['; printf '\n'; } >"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:1:70: error: invalid JSON: nested deeper than 64 levels
EOF
run deep-nesting 2 "$TMP/expected"

# 6. 50 MB of garbage lines: the first 50 errors, then one note.
awk 'BEGIN { for (i = 0; i < 1000000; i++) print "garbage garbage garbage garbage garbage" }' >"$LOG"
: >"$TMP/expected"
i=1
while [ $i -le 50 ]; do
	echo "backups/log.ndjson:$i:1: error: invalid JSON: expected '{', found 'g'" >>"$TMP/expected"
	i=$((i + 1))
done
echo "backups/log.ndjson: note: 999950 more errors in this file not shown" >>"$TMP/expected"
run garbage-lines 2 "$TMP/expected"

# 7. Invalid UTF-8 in one record.
good_lines 5 >"$LOG"
printf '{"id":"caf\351","datastore":"api-db"}\n' >>"$LOG"
cat >"$TMP/expected" <<EOF
backups/log.ndjson:6:11: error: invalid UTF-8 (byte 0xe9)
EOF
run invalid-utf8 2 "$TMP/expected"

rm -rf "$PLAN"
