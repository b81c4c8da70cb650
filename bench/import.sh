#!/bin/sh
# bench/import.sh -- `make bench-import` (and part of `make bench`):
# `drgen import aws-backup` and `drgen import pgbackrest` on generated
# exports of BENCH_IMPORT_JOBS jobs (default 1,000,000), against `jq -c`
# reshaping the same file into the same kind of records.  Reports the
# median wall time, CPU time (user + system: the machine may be shared) and
# the peak resident set size (GNU time's %M) of each.
#
#   BENCH_IMPORT_JOBS=N   jobs per export (default 1000000)
#   BENCH_IMPORT_RUNS=N   runs of drgen (default 3; jq runs once: it is slow)
#   BENCH_IMPORT_JQ=0     skip jq
#
# The exports are generated once by bench/gen_import.py and cached in
# bench/data/ (aws: about 0.9 GB, pgBackRest: about 0.45 GB per million).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DRGEN=${DRGEN:-$ROOT/build/drgen}
JOBS=${BENCH_IMPORT_JOBS:-1000000}
RUNS=${BENCH_IMPORT_RUNS:-3}
JQ=${BENCH_IMPORT_JQ:-1}
DATA=$ROOT/bench/data
OUT=${BENCH_OUT:-$ROOT/build/bench-import}
mkdir -p "$DATA" "$OUT"
command -v jq >/dev/null 2>&1 || JQ=0
[ -x /usr/bin/time ] || { echo "bench-import: needs GNU time (apt-get install time)" >&2; exit 2; }

gen_key=$(cksum <bench/gen_import.py | cut -d' ' -f1)
export_of() { # kind -> path, generated when missing
	f=$DATA/import-$1-$JOBS-$gen_key.json
	if [ ! -s "$f" ]; then
		echo "bench-import: generating $1 export of $JOBS jobs" >&2
		python3 bench/gen_import.py "$1" "$JOBS" "$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# run LABEL N CMD...: median seconds and median peak KiB of N runs
run() {
	label=$1 n=$2; shift 2
	: >"$OUT/times"
	i=0
	while [ $i -lt "$n" ]; do
		/usr/bin/time -f "%e %M %U %S" -o "$OUT/time1" "$@" >/dev/null 2>"$OUT/stderr" ||
			{ echo "bench-import: $label failed:" >&2; cat "$OUT/stderr" >&2; exit 3; }
		cat "$OUT/time1" >>"$OUT/times"
		i=$((i + 1))
	done
	t=$(cut -d' ' -f1 "$OUT/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	m=$(cut -d' ' -f2 "$OUT/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	c=$(awk '{print $3 + $4}' "$OUT/times" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-30s %8.2f s wall %8.2f s CPU %9.1f MiB peak\n' "$label" "$t" "$c" "$(echo "$m" | awk '{print $1/1024}')"
	echo "$t" >"$OUT/last_time"
	echo "$c" >"$OUT/last_cpu"
}

AWS=$(export_of aws-backup)
PG=$(export_of pgbackrest)
echo "drgen import on generated exports of $JOBS jobs (median of $RUNS runs; peak RSS)"
echo "aws-backup ($(du -m "$AWS" | cut -f1) MB):"
run "drgen import aws-backup" "$RUNS" "$DRGEN" import aws-backup "$AWS" -o "$OUT/aws.ndjson" -q
td=$(cat "$OUT/last_time") cd_=$(cat "$OUT/last_cpu")
test "$(wc -l <"$OUT/aws.ndjson")" -eq "$JOBS" || { echo "bench-import: wrong record count" >&2; exit 3; }
if [ "$JQ" = 1 ]; then
	run "jq -c (reshape, whole tree)" 1 sh -c "jq -c '.BackupJobs[] | {id: .BackupJobId, datastore: .ResourceArn, type: \"snapshot\", started: .CreationDate, finished: .CompletionDate, status: ({COMPLETED: \"success\", PARTIAL: \"partial\"}[.State] // \"failed\"), location: \"primary\", bytes: .BackupSizeInBytes, provenance: {tool: \"aws-backup\", resource_arn: .ResourceArn, vault: .BackupVaultName}}' '$AWS' >'$OUT/aws-jq.ndjson'"
	tj=$(cat "$OUT/last_time") cj=$(cat "$OUT/last_cpu")
	echo "  drgen is $(awk -v a="$tj" -v b="$td" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')x faster than jq (wall), $(awk -v a="$cj" -v b="$cd_" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')x (CPU)"
fi
echo "pgbackrest ($(du -m "$PG" | cut -f1) MB, read twice: the stanza's name follows its backups):"
run "drgen import pgbackrest" "$RUNS" "$DRGEN" import pgbackrest "$PG" -o "$OUT/pg.ndjson" -q
td=$(cat "$OUT/last_time") cd_=$(cat "$OUT/last_cpu")
test "$(wc -l <"$OUT/pg.ndjson")" -eq "$JOBS" || { echo "bench-import: wrong record count" >&2; exit 3; }
if [ "$JQ" = 1 ]; then
	run "jq -c (reshape, whole tree)" 1 sh -c "jq -c '.[] | .name as \$s | .backup[] | {id: .label, datastore: \$s, type: (if .type == \"full\" then \"full\" else \"incremental\" end), started: (.timestamp.start | todate), finished: (.timestamp.stop | todate), status: (if .error then \"partial\" else \"success\" end), location: (if .database.\"repo-key\" == 1 then \"primary\" else \"secondary\" end), bytes: .info.repository.delta, provenance: {tool: \"pgbackrest\", stanza: \$s}}' '$PG' >'$OUT/pg-jq.ndjson'"
	tj=$(cat "$OUT/last_time") cj=$(cat "$OUT/last_cpu")
	echo "  drgen is $(awk -v a="$tj" -v b="$td" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')x faster than jq (wall), $(awk -v a="$cj" -v b="$cd_" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 0.01)}')x (CPU)"
fi
