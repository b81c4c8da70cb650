# drgen import: every fixture of tests/import/ (real tool outputs copied
# from ../shared/formats/, and written ones) converts to the expected NDJSON
# with the expected counts; hostile variants give located errors, exit 2
# and leave the output untouched; the plan's "sources" and --map resolve
# datastores; imported backups build end to end.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$TMP"
IMP=$DRGEN_ROOT/tests/import
FIX=$IMP/fixtures

# JSON comparison of two NDJSON files, line by line
same_json() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
b = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
if a != b:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print("line %d differs:\n  got      %s\n  expected %s" % (i + 1, x, y), file=sys.stderr)
            break
    if len(a) != len(b):
        print("got %d lines, expected %d" % (len(a), len(b)), file=sys.stderr)
    sys.exit(1)
PY
}

grep -v '^#' "$IMP/cases.txt" | while IFS='|' read -r name kind opts files counts; do
	name=$(echo $name) kind=$(echo $kind)
	set -- $counts
	(cd "$FIX" && "$DRGEN" import $kind $opts $files -o "$TMP/$name.ndjson") 2>"$name.err"
	rc=$?
	check "$name: exits 0" test $rc -eq 0
	check "$name: records as expected" same_json "$name.ndjson" "$IMP/expected/$name.ndjson"
	check "$name: counts $1 backups, $2 restore tests, $3 skipped" \
		grep -q "written, .* $1 backups and $2 restore tests written, $3 skipped, 0 errors\|records read, $1 backups and $2 restore tests written, $3 skipped, 0 errors" "$name.err"
	check "$name: a provenance sidecar" test -s "$name.ndjson.provenance.json"
done

# The copies are the shared originals.
if [ -d "${SHARED_DIR:-$DRGEN_ROOT/../shared}/formats" ]; then
	S=${SHARED_DIR:-$DRGEN_ROOT/../shared}/formats
	check "fixture copies are identical to ../shared/formats" sh -c "
		cmp -s '$FIX/aws-list-backup-jobs.json' '$S/aws-backup/list-backup-jobs.json' &&
		cmp -s '$FIX/pgbackrest-2.43-info.json' '$S/pgbackrest/info-json.pgbackrest-2.43.json' &&
		cmp -s '$FIX/restic-0.16.3-snapshots.json' '$S/restic/snapshots-json.real-0.16.3.json' &&
		cmp -s '$FIX/borg-1.4-info.json' '$S/borg/borg-1.4-info-json.docs.json' &&
		cmp -s '$FIX/velero-docs-backup.json' '$S/velero/velero-docs-output-file-format.json' &&
		cmp -s '$FIX/azure-rest-job.json' '$S/azure-backup/backup-job.rest-response.json'"
else
	skip "../shared absent: fixture copies not compared with their originals"
fi

# ---- the sidecar ----
"$DRGEN" import pgbackrest "$FIX/pgbackrest-2.43-info.json" -o p.ndjson 2>/dev/null
sum=$(sha256sum "$FIX/pgbackrest-2.43-info.json" | cut -d' ' -f1)
check "sidecar: the input's SHA-256" grep -q "\"sha256\":	*\"$sum\"" p.ndjson.provenance.json
check "sidecar: importer and version" grep -q "\"importer_version\":	*\"$(cat "$DRGEN_ROOT/VERSION")\"" p.ndjson.provenance.json
check "sidecar: unmatched names listed" grep -q '"source":	*"tsoo-app"' p.ndjson.provenance.json
cp p.ndjson p1.ndjson
"$DRGEN" import pgbackrest "$FIX/pgbackrest-2.43-info.json" -o p.ndjson 2>/dev/null
check "output is deterministic" cmp -s p.ndjson p1.ndjson
"$DRGEN" import pgbackrest "$FIX/pgbackrest-2.43-info.json" >stdout.ndjson 2>/dev/null
check "standard output gets the same records" cmp -s stdout.ndjson p1.ndjson

# ---- datastores: plan sources, --map, prefixes ----
mkdir plan
cat >plan/plan.json <<'JSON'
{"drgen": 1, "services": [{"id": "ledger", "datastores": [
  {"id": "ledger-db", "criticality": "critical",
   "sources": ["arn:aws:rds:eu-west-1:111122223333:db:ledger", "tsoo-app"]},
  {"id": "files", "criticality": "standard", "sources": ["host-system-backup-*"]}]}]}
JSON
"$DRGEN" import aws-backup "$FIX/aws-v2-pages.json" --plan plan -o a.ndjson 2>a.err
check "--plan: an ARN in sources resolves" test "$(grep -c '"datastore":"ledger-db"' a.ndjson)" -eq 4
check "--plan: the names that matched nothing are listed" \
	grep -q 'unmatched: "arn:aws:s3:::kestrel-statements" (records: 1)' a.err
check "--plan: that is a warning" grep -q 'warning: 3 source names matched no datastore' a.err
check "--plan: the sidecar names the plan and its digest" grep -q '"plan_sha256"' a.ndjson.provenance.json
"$DRGEN" import aws-backup "$FIX/aws-v2-pages.json" --plan plan --map 'arn:aws:s3:::kestrel-statements=statements' \
	--map 'arn:aws:rds:eu-west-1:111122223333:db:ledger=ledger-override' -o a.ndjson 2>a.err
check "--map resolves what the plan does not" grep -q '"datastore":"statements"' a.ndjson
check "--map wins over the plan" test "$(grep -c '"datastore":"ledger-override"' a.ndjson)" -eq 4
"$DRGEN" import borg "$FIX/borg-1.4-info.json" --tz +01:00 --plan plan -o b.ndjson 2>/dev/null
check "a source ending in * matches a prefix" grep -q '"datastore":"files"' b.ndjson
"$DRGEN" import pgbackrest "$FIX/pgbackrest-2.43-info.json" --map 'tsoo-*=pg' -o p2.ndjson 2>/dev/null
check "a --map name ending in * matches a prefix" test "$(grep -c '"datastore":"pg"' p2.ndjson)" -eq 4

# ---- borg 1.x without --tz ----
"$DRGEN" import borg "$FIX/borg-1.4-list.json" -o b.ndjson 2>b.err; rc=$?
check "borg 1.x without --tz: exit 2" test $rc -eq 2
check "borg 1.x without --tz: says why, where" \
	grep -q 'borg-1.4-list.json:6:22: error: time "2017-08-07T12:27:20.789123" has no offset: Borg 1.x prints local time without an offset; say which with --tz' b.err
# ---- --tz by name: the offset of the day, from the system's zoneinfo ----
if [ -f /usr/share/zoneinfo/Europe/Berlin ]; then
	# 2017-08-07 12:27:20 in Berlin is summer time, +02:00
	"$DRGEN" import borg "$FIX/borg-1.4-list.json" --tz Europe/Berlin -o b.ndjson 2>b.err
	check "--tz Europe/Berlin: summer time in August" grep -q '"started":"2017-08-07T10:27:20Z"' b.ndjson
	check "--tz Europe/Berlin: kept in the provenance" grep -q '"tz":[[:space:]]*"Europe/Berlin"' b.ndjson.provenance.json
	check "--tz Europe/Berlin: the tzdata version in the provenance" \
		grep -q '"tzdata":[[:space:]]*"20[0-9][0-9][a-z]"' b.ndjson.provenance.json
	"$DRGEN" import borg "$FIX/borg-1.4-list.json" --tz +01:00 -o b1.ndjson 2>b.err
	check "--tz +01:00: a fixed offset is not the zone" grep -q '"started":"2017-08-07T11:27:20Z"' b1.ndjson
	# the hour repeated when summer time ends cannot be placed: an error there
	sed 's/2017-08-07T12:27:20.789123/2016-10-30T02:30:00/' "$FIX/borg-1.4-list.json" >fold.json
	"$DRGEN" import borg fold.json --tz Europe/Berlin -o f.ndjson 2>f.err; rc=$?
	check "--tz: a time in the autumn fold is exit 2" test $rc -eq 2
	check "--tz: the fold is named, with both instants" \
		grep -q 'fold.json:6:22: error: time "2016-10-30T02:30:00" occurs twice in Europe/Berlin (2016-10-30T00:30:00Z and 2016-10-30T01:30:00Z' f.err
	check "--tz: nothing written on the fold" test ! -e f.ndjson
	sed 's/2017-08-07T12:27:20.789123/2016-03-27T02:30:00/' "$FIX/borg-1.4-list.json" >gap.json
	"$DRGEN" import borg gap.json --tz Europe/Berlin -o g.ndjson 2>g.err; rc=$?
	check "--tz: a time the spring change skipped is exit 2, located" \
		sh -c "test $rc -eq 2 && grep -q 'gap.json:6:22: error: time \"2016-03-27T02:30:00\" does not exist in Europe/Berlin' g.err"
else
	echo "skip - --tz by name: no /usr/share/zoneinfo/Europe/Berlin (tools/install-deps.sh installs tzdata)"
fi
"$DRGEN" import borg "$FIX/borg-1.4-list.json" --tz Mars/Olympus 2>b.err; rc=$?
check "--tz: an unknown zone is a usage error" test $rc -eq 2
check "--tz: says it is not in the zoneinfo" grep -q 'tz Mars/Olympus: no such zone' b.err
"$DRGEN" import borg "$FIX/borg-1.4-list.json" --tz ../../../etc/passwd 2>b.err; rc=$?
check "--tz: a path is not a zone name" sh -c "test $rc -eq 2 && grep -q 'expected an offset' b.err"

# ---- hostile variants: located error, exit 2, output untouched ----
hostile() { # name kind file expected-error-regexp [options]
	hn=$1 k=$2 f=$3 want=$4; shift 4
	echo "previous content" >h.ndjson
	"$DRGEN" import "$k" "$f" "$@" -o h.ndjson 2>h.err; rc=$?
	check "$hn: exit 2" test $rc -eq 2
	check "$hn: located error" grep -q "$want" h.err
	check "$hn: output untouched" test "$(cat h.ndjson)" = "previous content"
	check "$hn: no temporary file left" test -z "$(ls h.ndjson.tmp-* 2>/dev/null)"
}
head -c 700 "$FIX/aws-list-backup-jobs.json" >trunc.json
hostile "aws truncated" aws-backup trunc.json "trunc.json:[0-9]*:[0-9]*: error: invalid JSON: the file ends inside a value (truncated?)"
sed 's/"State": "CREATED"/"State": "SUCCEEDED"/' "$FIX/aws-list-backup-jobs.json" >state.json
hostile "aws unknown state" aws-backup state.json 'state.json:9:16: error: unknown State "SUCCEEDED" (the service model has CREATED'
sed 's/"BackupSizeInBytes": 71/"BackupSizeInBytes": 184467440737095516160/' "$FIX/aws-list-backup-jobs.json" >huge.json
hostile "aws huge number" aws-backup huge.json 'huge.json:25:28: error: number 184467440737095516160 is larger than 18446744073709551615'
grep -q '= at /BackupJobs/1/BackupSizeInBytes' h.err; check "aws huge number: JSON pointer" test $? -eq 0
echo '[{"BackupJobs": []}]' >shape.json
hostile "aws wrong shape" aws-backup shape.json 'shape.json:1:1: error: expected an object with "BackupJobs"'
echo '{"Jobs": []}' >nolist.json
hostile "aws no job list" aws-backup nolist.json 'nolist.json: error: no "BackupJobs", "CopyJobs" or "RestoreJobs" list'
sed 's/"CreationDate": 1600721724.77/"CreationDate": "yesterday"/' "$FIX/aws-list-backup-jobs.json" >time.json
hostile "aws bad time" aws-backup time.json 'time.json:21:23: error: invalid time "yesterday"'
sed 's/"type":"incr"/"type":"weekly"/' "$FIX/pgbackrest-2.43-info.json" >pgtype.json
hostile "pgbackrest unknown type" pgbackrest pgtype.json 'pgtype.json:1:[0-9]*: error: unknown backup type "weekly"'
echo '{"name": "x", "backup": []}' >pgshape.json
hostile "pgbackrest wrong shape" pgbackrest pgshape.json 'pgshape.json:1:1: error: expected an array of stanzas'
sed 's/"delta":928,/"delta":-928,/' "$FIX/pgbackrest-2.43-info.json" >pgneg.json
hostile "pgbackrest negative bytes" pgbackrest pgneg.json 'pgneg.json:1:[0-9]*: error: number -928 must not be negative'
head -c 500 "$FIX/restic-0.16.3-snapshots.json" >rtrunc.json
hostile "restic truncated" restic rtrunc.json 'rtrunc.json:1:501: error: invalid JSON'
sed 's/"phase": "Completed"/"phase": "Done"/' "$FIX/velero-docs-backup.json" >vphase.json
hostile "velero unknown phase" velero vphase.json 'vphase.json:29:14: error: unknown phase "Done"'
sed 's/"status": "Completed",$/"status": "Succeeded",/' "$FIX/azure-rest-job.json" >astatus.json
hostile "azure unknown status" azure-backup astatus.json 'astatus.json:[0-9]*:[0-9]*: error: unknown status "Succeeded"'
sed 's/"2332 MB"/"lots"/' "$FIX/azure-rest-job.json" >asize.json
hostile "azure bad size" azure-backup asize.json 'asize.json:[0-9]*:[0-9]*: error: invalid size "lots"'
printf '{"BackupJobs":[{"x":%s1%s}]}' "$(printf '[%.0s' $(seq 600))" "$(printf ']%.0s' $(seq 600))" >deep.json
hostile "deep nesting" aws-backup deep.json 'deep.json:1:[0-9]*: error: JSON nested deeper than 512 levels'
python3 -c "
import json
print(json.dumps({'BackupJobs': [{'BackupJobId': 'x', 'State': 'COMPLETED', 'Big': 'y' * 1100000}]}))" >big.json
hostile "record over 1 MiB" aws-backup big.json 'big.json:1:17: error: record larger than the limit'
: >empty.json
hostile "empty file" restic empty.json 'empty.json: error: no JSON value in the file'
printf '{"BackupJobs":[{"BackupJobId":"a","BackupJobId":"b","State":"COMPLETED","CreationDate":1,"CompletionDate":2,"ResourceArn":"r"}]}' >dup.json
hostile "duplicate key" aws-backup dup.json 'dup.json:1:49: error: key "BackupJobId" given twice'
hostile "missing file" aws-backup nonexistent.json 'nonexistent.json: error: cannot open'

# an id longer than 512 bytes is skipped with the reason, not cut
python3 -c "
import json
print(json.dumps({'BackupJobs': [{'BackupJobId': 'j' * 513, 'State': 'COMPLETED', 'CreationDate': 1, 'CompletionDate': 2, 'ResourceArn': 'r'},
 {'BackupJobId': 'k' * 512, 'State': 'COMPLETED', 'CreationDate': 1, 'CompletionDate': 2, 'ResourceArn': 'r'}]}))" >long.json
"$DRGEN" import aws-backup long.json -o long.ndjson 2>long.err
check "an id of 513 bytes is skipped, saying so" grep -q 'record skipped: id longer than 512 bytes' long.err
check "an id of 512 bytes is kept whole" grep -q "\"id\":\"$(python3 -c "print('k'*512)")\"" long.ndjson

# usage
"$DRGEN" import 2>u.err; check "import without a kind exits 2 and lists the kinds" sh -c "test $? -eq 2 && grep -q aws-backup u.err"
"$DRGEN" import aws-bakup x 2>u.err; check "a mistyped kind is suggested" grep -q 'did you mean "aws-backup"' u.err
"$DRGEN" import aws-backup 2>u.err; check "a kind without files exits 2" test $? -eq 2
"$DRGEN" import aws-backup "$FIX/aws-list-backup-jobs.json" --map nothing 2>u.err
check "--map without = exits 2" test $? -eq 2
"$DRGEN" import aws-backup "$FIX/aws-list-backup-jobs.json" --location moon 2>u.err
check "--location must be a drgen location" test $? -eq 2
"$DRGEN" help import >u.out; check "help import lists the kinds" grep -q '^  pgbackrest' u.out

# ---- end to end: imported backups build with the sample ----
cp -R "$DRGEN_ROOT/samples/kestrel" e2e
before=$("$DRGEN" check e2e 2>&1 | sed -n "s/.*datastores, \([0-9]*\) backup records.*/\1/p")
"$DRGEN" import aws-backup "$FIX/aws-v2-pages.json" --map 'arn:aws:rds:eu-west-1:111122223333:db:ledger=ledger-db' \
	--map 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0abc=claims-db' \
	--map 'arn:aws:s3:::kestrel-statements=reporting-db' -o imported.ndjson 2>/dev/null
grep -v '"kind":"restore_test"' imported.ndjson >e2e/backups/zz-aws-import.ndjson
"$DRGEN" check e2e >check.out 2>&1; rc=$?
check "end to end: check accepts the imported backups" test $rc -eq 0
"$DRGEN" build e2e --period 2026-10 -o e2e-out -q 2>build.err; rc=$?
check "end to end: build succeeds" test $rc -eq 0
check "end to end: the imported log is an input of the evidence" \
	grep -q 'backups/zz-aws-import.ndjson' e2e-out/evidence/manifest.json
check "end to end: the 8 imported backups are counted" \
	grep -q " $((before + 8)) backup records" check.out

# ---- memory does not grow with the export (release build) ----
if [ -x /usr/bin/time ] && [ -x "$DRGEN_RELEASE" ]; then
	python3 "$DRGEN_ROOT/bench/gen_import.py" aws-backup 20000 big-aws.json
	python3 "$DRGEN_ROOT/bench/gen_import.py" pgbackrest 20000 big-pg.json
	/usr/bin/time -f %M -o aws.rss "$DRGEN_RELEASE" import aws-backup big-aws.json -o big-aws.ndjson -q
	check "a 20,000-job AWS export (18 MB) imports in under 32 MiB" test "$(cat aws.rss)" -lt 32768
	check "all 20,000 jobs written" test "$(wc -l <big-aws.ndjson)" -eq 20000
	/usr/bin/time -f %M -o pg.rss "$DRGEN_RELEASE" import pgbackrest big-pg.json -o big-pg.ndjson -q
	check "a 20,000-backup pgBackRest stanza imports in under 32 MiB" test "$(cat pg.rss)" -lt 32768
	check "all 20,000 backups written" test "$(wc -l <big-pg.ndjson)" -eq 20000
else
	skip "memory check: needs GNU time and the release build"
fi

# ---- drgen check recognises a tool's export in backups/ ----
cp -R "$DRGEN_ROOT/samples/kestrel" det
for f in aws-list-backup-jobs.json:aws-backup aws-restore-states.json:aws-backup \
	 pgbackrest-2.43-info.json:pgbackrest restic-0.16.3-snapshots.json:restic \
	 restic-manual-snapshots.json:restic borg-1.4-info.json:borg velero-docs-backup.json:velero \
	 velero-backup-list.json:velero azure-rest-job.json:azure-backup azure-job-list.json:azure-backup; do
	cp "$FIX/${f%%:*}" "det/backups/x-${f%%:*}.ndjson"
done
"$DRGEN" check det >det.out 2>&1; rc=$?
check "check: a tool's export in backups/ is an error" test $rc -eq 2
for f in aws-list-backup-jobs.json:aws-backup aws-restore-states.json:aws-backup \
	 pgbackrest-2.43-info.json:pgbackrest restic-0.16.3-snapshots.json:restic \
	 restic-manual-snapshots.json:restic borg-1.4-info.json:borg velero-docs-backup.json:velero \
	 velero-backup-list.json:velero azure-rest-job.json:azure-backup azure-job-list.json:azure-backup; do
	check "check: ${f%%:*} is recognised as ${f##*:} output" \
		grep -q "det/backups/x-${f%%:*}.ndjson:1:1: error: this is the output of .*convert it with: drgen import ${f##*:} FILE" det.out
done
check "check: one error per export, not one per line" test "$(grep -c ': error:' det.out)" -eq 10
# (the same records as the sample alone, and only the 10 exports' errors)
plain=$("$DRGEN" check "$DRGEN_ROOT/samples/kestrel" 2>&1 | sed -n 's/.* \([0-9]* backup records, [0-9]* restore tests\).*/\1/p')
check "check: the sample's own logs are not taken for exports" \
	grep -q "$plain.*10 errors" det.out

# ---- a plan's datastores may list sources ----
cp -R "$DRGEN_ROOT/samples/kestrel" src
python3 - src/plan.json <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["services"][0]["datastores"][0]["sources"] = ["arn:aws:rds:eu-west-1:111122223333:db:x", "x-*"]
json.dump(p, open(sys.argv[1], "w"), indent=2)
PY
"$DRGEN" check src >src.out 2>&1; rc=$?
check "plan: sources is a known datastore key" sh -c "test $rc -eq 0 && ! grep -q 'unknown key \"sources\"' src.out"
rm -rf "$TMP"
