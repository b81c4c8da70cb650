# The command line: help, version, usage errors, exit codes, init, check.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$TMP"

out=$("$DRGEN" --version); check "--version prints the version" test "$out" = "drgen $(cat "$DRGEN_ROOT/VERSION")"
"$DRGEN" --help >help.txt; check "--help exits 0" test $? -eq 0
for c in build check init verify render; do
	check "--help lists $c" grep -q "^  $c " help.txt
done
"$DRGEN" help limits >limits.txt; check "help limits lists the NDJSON line limit" grep -q "NDJSON backup record" limits.txt
"$DRGEN" help build >/dev/null; check "help build exits 0" test $? -eq 0
"$DRGEN" help nothing 2>/dev/null; check "help on an unknown topic exits 2" test $? -eq 2
"$DRGEN" help limtis 2>err.txt
check "help on a mistyped topic suggests the nearest" grep -q 'no help on "limtis", did you mean "limits"?' err.txt

"$DRGEN" 2>/dev/null; check "no command exits 2" test $? -eq 2
"$DRGEN" frobnicate 2>err.txt; rc=$?
check "unknown command exits 2" test $rc -eq 2
check "unknown command is named" grep -q 'unknown command "frobnicate"' err.txt
"$DRGEN" build --bogus 2>err.txt; rc=$?
check "unknown option exits 2" test $rc -eq 2
check "unknown option shows the usage line" grep -q "^usage: drgen build" err.txt
"$DRGEN" biuld 2>err.txt; rc=$?
check "a mistyped command exits 2" test $rc -eq 2
check "a mistyped command suggests the nearest" grep -q 'unknown command "biuld", did you mean "build"?' err.txt
"$DRGEN" build --peroid 2026-10 2>err.txt; rc=$?
check "a mistyped option exits 2" test $rc -eq 2
check "a mistyped option suggests the nearest" grep -q 'unknown option "--peroid", did you mean "--period"?' err.txt
"$DRGEN" check --fromat=html 2>err.txt
check "an option of another command is not suggested" grep -q 'unknown option "--fromat=html"$' err.txt
"$DRGEN" build --bogus 2>err.txt
check "a far-off option gets no suggestion" grep -q 'unknown option "--bogus"$' err.txt
"$DRGEN" build -o 2>err.txt; check "option without its value exits 2" test $? -eq 2
"$DRGEN" build --period 2026-13 "$DRGEN_ROOT/samples/kestrel" -o out 2>err.txt; rc=$?
check "impossible period exits 2" test $rc -eq 2
check "impossible period writes nothing" test ! -e out
"$DRGEN" build --as-of yesterday "$DRGEN_ROOT/samples/kestrel" -o out 2>err.txt
check "bad --as-of exits 2" test $? -eq 2
"$DRGEN" build --format html,docx "$DRGEN_ROOT/samples/kestrel" -o out 2>err.txt
check "unknown format exits 2" test $? -eq 2
"$DRGEN" build --fail-on never "$DRGEN_ROOT/samples/kestrel" -o out 2>err.txt
check "bad --fail-on exits 2" test $? -eq 2

"$DRGEN" check nonexistent-dir 2>err.txt; rc=$?
check "check of a missing folder exits 2" test $rc -eq 2
check "check of a missing folder says it does not exist" \
	grep -q "^nonexistent-dir: error: plan directory does not exist; create one with: drgen init nonexistent-dir$" err.txt
check "check of a missing folder prints no summary" test "$(wc -l <err.txt)" -eq 1
"$DRGEN" build "no such dir" -o out 2>err.txt; rc=$?
check "build of a missing folder exits 2" test $rc -eq 2
check "build of a missing folder names the init command, quoted" \
	grep -q "drgen init 'no such dir'$" err.txt
check "build of a missing folder writes nothing" test ! -e out
: >plainfile
"$DRGEN" check plainfile 2>err.txt; rc=$?
check "check of a file exits 2" test $rc -eq 2
check "check of a file says it is not a directory" grep -q "^plainfile: error: expected a plan directory, found a file" err.txt
mkdir emptyplan
"$DRGEN" check emptyplan 2>err.txt
check "a folder without plan.json: nothing else was checked" \
	grep -q "^emptyplan: plan.json could not be read, so nothing else was checked; 1 error, 0 warnings$" err.txt
mkdir brokenplan && printf '{"format_version": 1,\n  "services": [}\n' >brokenplan/plan.json
"$DRGEN" check brokenplan 2>err.txt; rc=$?
check "a JSON syntax error exits 2" test $rc -eq 2
check "a JSON syntax error: plan.json could not be parsed" \
	grep -q "^brokenplan: plan.json could not be parsed, so nothing else was checked; 1 error, 0 warnings$" err.txt
check "a JSON syntax error: no zero counts" sh -c '! grep -q "0 services" err.txt'

"$DRGEN" init newplan 2>err.txt; rc=$?
check "init creates a plan" test $rc -eq 0 -a -f newplan/plan.json
"$DRGEN" check newplan 2>err.txt; check "the new plan checks clean" test $? -eq 0
"$DRGEN" init newplan 2>err.txt; check "init refuses a non-empty folder" test $? -eq 2
"$DRGEN" init sampleplan 2>err.txt
check "init names the period of the sample and the command that builds it" \
	grep -q "records cover 2026-10; build it with: drgen build sampleplan --period 2026-10$" err.txt
check "init points to init --minimal" grep -q "drgen init --minimal DIR" err.txt

# init --minimal: a plan of one service that builds clean today, with the
# default period and as-of, and with the as-of at the end of last month.
"$DRGEN" init --minimal mini 2>err.txt; rc=$?
check "init --minimal exits 0" test $rc -eq 0
check "init --minimal names the build command" grep -q "run: drgen build mini$" err.txt
check "init --minimal writes one drill" test "$(ls mini/drills | wc -l)" -eq 1
check "init --minimal writes no runbook or rule" test ! -e mini/runbooks -a ! -e mini/rules
"$DRGEN" check mini 2>err.txt; rc=$?
check "the minimal plan checks clean" test $rc -eq 0
check "the minimal plan has one service and datastore" \
	grep -q "^mini: 1 service, 1 datastore, [0-9]* backup records\{0,1\}, 1 drill; 0 errors, 0 warnings$" err.txt
"$DRGEN" build mini -o miniout 2>err.txt; rc=$?
check "the minimal plan builds with exit 0" test $rc -eq 0
check "the minimal plan builds without a warning" sh -c '! grep -q "warning" err.txt'
check "the minimal plan's datastore is current" \
	grep -q '^app-db,app,standard,primary,[^,]*,[^,]*,1440,ok,ok' miniout/evidence/backups.csv
check "the minimal plan has no stale store" sh -c '! grep -q stale miniout/evidence/backups.csv'
month_start=$(date -u +%Y-%m-01T00:00:00Z)
"$DRGEN" build mini -o miniout --as-of "$month_start" 2>err.txt; rc=$?
check "the minimal plan builds clean as of the end of last month" \
	sh -c '[ $1 -eq 0 ] && ! grep -q warning err.txt && grep -q ",1440,ok,ok" miniout/evidence/backups.csv' - $rc
"$DRGEN" init --minimal mini 2>err.txt; check "init --minimal refuses a non-empty folder" test $? -eq 2
# Dated from SOURCE_DATE_EPOCH when set; at New Year the previous month is December.
newyear=1798763400  # 2027-01-01T00:30:00Z
SOURCE_DATE_EPOCH=$newyear "$DRGEN" init --minimal mini2027 2>err.txt
check "init --minimal at New Year dates its drill in December" test -f mini2027/drills/2026-12-10-tabletop.json
check "init --minimal at New Year covers November 30 to now" \
	sh -c 'head -1 mini2027/backups/app-db.ndjson | grep -q "\"started\":\"2026-11-30T01:00:00Z\"" &&
	       tail -1 mini2027/backups/app-db.ndjson | grep -q "\"started\":\"2027-01-01T00:30:00Z\""'
SOURCE_DATE_EPOCH=$newyear "$DRGEN" build mini2027 -o mini2027out 2>err.txt; rc=$?
check "the New Year minimal plan builds clean for December" \
	sh -c '[ $1 -eq 0 ] && ! grep -q warning err.txt && grep -q "(period 2026-12," err.txt &&
	       grep -q ",1440,ok,ok" mini2027out/evidence/backups.csv' - $rc
SOURCE_DATE_EPOCH=$newyear "$DRGEN" build mini2027 -o mini2027out --as-of 2027-01-01T00:00:00Z 2>err.txt; rc=$?
check "the New Year minimal plan builds clean as of the end of December" \
	sh -c '[ $1 -eq 0 ] && ! grep -q warning err.txt && grep -q ",1440,ok,ok" mini2027out/evidence/backups.csv' - $rc
"$DRGEN" verify --minimal x 2>err.txt; check "--minimal is only an init option" test $? -eq 2

# A full disk must not look like success.
if [ -w /dev/full ]; then
	"$DRGEN" --help >/dev/full 2>/dev/null; rc=$?
	check "writing to a full disk exits 3" test $rc -eq 3
else
	skip "full disk: /dev/full not available"
fi

# An output folder that drgen did not write is never replaced.
mkdir precious && echo keep >precious/notes.txt
"$DRGEN" build "$DRGEN_ROOT/samples/kestrel" -o precious --period 2026-10 -q 2>err.txt; rc=$?
check "a foreign output folder is refused with exit 2" test $rc -eq 2
check "a foreign output folder is left alone" test "$(cat precious/notes.txt)" = keep

# A backup log that is a symbolic link out of the plan directory is refused.
cp -R "$DRGEN_ROOT/samples/kestrel" linked
echo '{"id": "outside"}' >outside.ndjson
ln -s "$PWD/outside.ndjson" linked/backups/evil.ndjson
"$DRGEN" check linked 2>err.txt; rc=$?
check "a backup log linked from outside exits 2" test $rc -eq 2
check "a backup log linked from outside is named" \
	grep -q "linked/backups/evil.ndjson: error: file leads outside the plan directory" err.txt

# runbook.lua runs while the dashboard, plan and audit already render: a
# runbook rule that fails still stops the build and changes nothing.
cp -R "$DRGEN_ROOT/samples/kestrel" badrunbook
"$DRGEN" build badrunbook -o rbout --as-of 2026-11-01T00:00:00Z -q 2>err.txt
check "a good build before the bad runbook rule" test $? -eq 0
sums=$(cat rbout/evidence/SHA256SUMS)
mkdir -p badrunbook/rules
printf 'return { build = function(service) return { sections = service.nope.x } end }\n' \
	>badrunbook/rules/runbook.lua
"$DRGEN" build badrunbook -o rbout --as-of 2026-11-01T00:00:00Z 2>err.txt; rc=$?
check "a failing runbook rule exits 2" test $rc -eq 2
check "a failing runbook rule is named with its line" grep -q "runbook.lua:1:" err.txt
check "a failing runbook rule leaves the previous output as it was" \
	test "$(cat rbout/evidence/SHA256SUMS)" = "$sums"
check "a failing runbook rule leaves no staging folder" \
	test -z "$(find . -maxdepth 1 -name '.rbout.drgen-staging.*')"

# A value error in a long NDJSON record shows the record cut around the
# column, with a caret under the value.
mkdir -p caret/backups && cp -R "$DRGEN_ROOT/samples/kestrel/plan.json" "$DRGEN_ROOT/samples/kestrel/runbooks" caret/
pad=$(printf '%0300d' 0)
printf '{"id":"x1","datastore":"auth-db","type":"full","started":"2026-10-01T00:00:00Z","finished":"2026-10-01T01:00:00Z","status":"sucess","location":"%s"}\n' \
	"$pad" >caret/backups/long.ndjson
NO_COLOR=1 "$DRGEN" check caret --period 2026-10 2>err.txt
check "an NDJSON value error names line and column" \
	grep -q '^caret/backups/long.ndjson:1:124: error: invalid "status" value "sucess"' err.txt
excerpt=$(grep -A1 '^ *1 | ' err.txt)
check "an NDJSON value error shows the record, cut" \
	sh -c 'printf "%s\n" "$1" | head -1 | grep -q "^     1 | \.\.\..*\"status\":\"sucess\".*\.\.\.$"' - "$excerpt"
check "the excerpt of a long record is short" test "$(printf '%s\n' "$excerpt" | head -1 | wc -c)" -lt 130
line1=$(printf '%s\n' "$excerpt" | head -1); line2=$(printf '%s\n' "$excerpt" | sed -n 2p)
left=${line2%^}
check "the caret is under the value" test "$(printf '%s' "$line1" | cut -c$((${#left} + 1))-$((${#left} + 8)))" = '"sucess"'

# Records naming many datastores the plan lacks: one short warning, notes
# that fit a terminal naming the ids with most records, and the full list in
# the build's results.json, which the last note names.
cp -R "$DRGEN_ROOT/samples/kestrel" manyunknown
i=1
while [ $i -le 60 ]; do
	k=0
	while [ $k -le $((i % 7)) ]; do
		printf '{"id":"u%d-%d","datastore":"legacy-store-number-%d","type":"full","started":"2026-10-01T00:00:00Z","finished":"2026-10-01T01:00:00Z","status":"success","location":"primary"}\n' $i $k $i
		k=$((k + 1))
	done
	i=$((i + 1))
done >manyunknown/backups/extra.ndjson
NO_COLOR=1 "$DRGEN" build manyunknown --period 2026-10 -o manyout 2>err.txt; rc=$?
check "unknown datastores: the build exits 0" test $rc -eq 0
check "unknown datastores: one short warning" \
	grep -q '^manyunknown/backups: warning: 252 backup records name 62 datastores the plan does not have$' err.txt
check "unknown datastores: every line fits a terminal" \
	test "$(grep '^manyunknown/backups' err.txt | awk 'length > 100' | wc -l)" -eq 0
check "unknown datastores: at most a screenful" test "$(grep -c '^manyunknown/backups' err.txt)" -le 16
check "unknown datastores: the most records first, with counts" \
	grep -q '^manyunknown/backups: note: records per datastore, most first: legacy-ftp-db (8),$' err.txt
check "unknown datastores: the rest is counted" \
	grep -q '^manyunknown/backups: note: and 42 more datastores, with 124 records;$' err.txt
check "unknown datastores: the full list's file is named" \
	grep -q 'note: a build lists them all in evidence/results.json (unknown_datastores)$' err.txt
check "unknown datastores: results.json lists all 60 extra ids" \
	test "$(grep -o '"id": *"legacy-store-number-[0-9]*"' manyout/evidence/results.json | sort -u | wc -l)" -eq 60
