#!/bin/sh
# bench/run.sh -- `make bench`: drgen on a large synthetic plan, side by side
# with the general tools a team would otherwise script together (SPEC
# section 9; docs/performance.md explains every figure).
#
#   BENCH_SIZE=large   10,000 services, 5,000,000 backup records, 20,000
#                      drills (default; the logs take about 1.5 GB)
#   BENCH_SIZE=small   1,000 services, 500,000 records, 2,000 drills
#   BENCH_RUNS=N       runs of each fast command (default 5)
#   BENCH_SLOW_RUNS=N  runs of jq, Python and Hugo (default 3)
#   BENCH_HUGO=0|1     skip Hugo / install it when missing (default: use it
#                      when it is installed)
#   BENCH_SEED=S       generator seed (default 1)
#   BENCH_PAGES=0|1    time opening the dashboard, plan, audit and a runbook
#                      in headless Chromium, when installed (default 1)
#   BENCH_PAGE_RUNS=N  runs of each page open (default 1); BENCH_PAGE_TIMEOUT
#                      seconds before one is given up (default 300)
#   BENCH_OUT=DIR      where the documents are written (default build/bench;
#                      /dev/shm/... takes the file system out of the figures)
#
# The plan is generated once by build/gen_plan and cached under bench/data/,
# keyed by the generator's flags and source.  Every command runs on warm
# files (page cache), several times; the median wall time and the median
# peak resident set size (GNU time's %M, the largest process of a pipeline)
# are reported.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DRGEN=${DRGEN:-$ROOT/build/drgen}
GEN=${GEN:-$ROOT/build/gen_plan}
SIZE=${BENCH_SIZE:-large}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
SLOW_RUNS=${BENCH_SLOW_RUNS:-3}
FILES=6

case $SIZE in
large) SERVICES=10000 RECORDS=5000000 DRILLS=20000 LESS_RECORDS=1000000 ;;
small) SERVICES=1000 RECORDS=500000 DRILLS=2000 LESS_RECORDS=100000 ;;
*) echo "bench: BENCH_SIZE must be large or small, not \"$SIZE\"" >&2; exit 2 ;;
esac

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bench: installing $2 (apt-get)" >&2
	apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null 2>&1; } ||
		{ echo "bench: cannot install $2" >&2; return 1; }
}
need jq jq
[ -x /usr/bin/time ] || need time time
HAVE_PY=0; command -v python3 >/dev/null 2>&1 && HAVE_PY=1
HUGO=${BENCH_HUGO:-auto}
HAVE_HUGO=0
if [ "$HUGO" = 1 ]; then need hugo hugo && HAVE_HUGO=1
elif [ "$HUGO" = auto ] && command -v hugo >/dev/null 2>&1; then HAVE_HUGO=1
fi

WORK=$ROOT/build/bench
mkdir -p "$WORK" bench/data
rm -f "$WORK"/*.res
OUTS=${BENCH_OUT:-$WORK}
mkdir -p "$OUTS"
GEN_HASH=$(sha256sum bench/gen_plan.c | cut -c1-10)

# plan VAR RECORDS: generates the plan into bench/data once and sets VAR
# to its folder.  Plans of the same flags from an older generator go.
plan() {
	flags="s$SERVICES-r$2-d$DRILLS-f$FILES-seed$SEED"
	key="$flags-$GEN_HASH"
	dir=bench/data/$key
	if [ ! -f "$dir/.complete" ]; then
		echo "bench: generating $key (once; cached in bench/data/)" >&2
		rm -rf "bench/data/$flags"-*
		t0=$(date +%s.%N)
		"$GEN" --services "$SERVICES" --records "$2" --drills "$DRILLS" \
			--files "$FILES" --seed "$SEED" -o "$dir.tmp"
		t1=$(date +%s.%N)
		mv "$dir.tmp" "$dir"
		echo "$t0 $t1" | awk '{printf "bench: generated in %.1f s\n", $2 - $1}' >&2
		touch "$dir/.complete"
	fi
	eval "$1=\$ROOT/\$dir"
}

plan BIG "$RECORDS"
plan LESS "$LESS_RECORDS"
LOGS=$(ls "$BIG"/backups/*.ndjson | tr "\n" " ")
LOG_BYTES=$(cat $LOGS | wc -c)

# A plan directory with only plan.json and its runbooks (and, with "logs",
# the backup logs, hard-linked): the cost of loading the logs is the
# difference between the two.
view() {
	rm -rf "$1"
	mkdir -p "$1/backups"
	cp "$BIG/plan.json" "$1/"
	cp -R "$BIG/runbooks" "$1/"
	if [ "$2" = logs ]; then
		for f in $LOGS; do ln "$f" "$1/backups/" 2>/dev/null || cp "$f" "$1/backups/"; done
	fi
}
PLAN_ONLY=$WORK/plan-only PLAN_LOGS=$WORK/plan-logs
view "$PLAN_ONLY" none
view "$PLAN_LOGS" logs

# measure NAME RUNS COMMAND: runs COMMAND (a shell string) RUNS times and
# stores "median_seconds median_peak_kib exit_status" in $WORK/NAME.res.
measure() {
	name=$1 n=$2 cmd=$3
	: >"$WORK/$name.times"
	status=0
	i=0
	while [ "$i" -lt "$n" ]; do
		if ! RUN=$i /usr/bin/time -f '%e %M' -o "$WORK/$name.one" sh -c "$cmd" \
			>"$WORK/$name.out" 2>"$WORK/$name.err"; then
			status=1
		fi
		tail -n 1 "$WORK/$name.one" >>"$WORK/$name.times"
		i=$((i + 1))
	done
	t=$(cut -d' ' -f1 "$WORK/$name.times" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	m=$(cut -d' ' -f2 "$WORK/$name.times" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
	echo "$t $m $status" >"$WORK/$name.res"
	if [ "$status" -ne 0 ]; then
		echo "bench: $name failed; its last messages:" >&2
		tail -n 5 "$WORK/$name.err" >&2
	fi
}
res() { cut -d' ' -f"$2" "$WORK/$1.res"; }

ARGS="--period 2026-10 -q"

echo "bench: warming the page cache" >&2
cat $LOGS "$LESS"/backups/*.ndjson >/dev/null

echo "bench: wc -l" >&2
measure wc "$RUNS" "wc -l $LOGS"

# Each build writes a new output folder, as in CI (a fresh checkout): a
# rebuild over the previous output also pays for deleting it, and ext4
# then searches longer for free inodes (recently_deleted in a profile).
echo "bench: drgen" >&2
rm -rf "$OUTS"/out.* "$OUTS"/out-less.* "$OUTS"/copied.*
measure build "$RUNS" "'$DRGEN' build '$BIG' -o '$OUTS/out.'\$RUN --period 2026-10 -v"
measure check "$RUNS" "'$DRGEN' check '$BIG' $ARGS"
measure plan_only "$RUNS" "'$DRGEN' check '$PLAN_ONLY' $ARGS"
measure plan_logs "$RUNS" "'$DRGEN' check '$PLAN_LOGS' $ARGS"
measure check_less 3 "'$DRGEN' check '$LESS' $ARGS"
measure build_less 3 "'$DRGEN' build '$LESS' -o '$OUTS/out-less.'\$RUN $ARGS"
N_FILES=0 OUT_MB=0
if [ -d "$OUTS/out.0" ]; then
	N_FILES=$(find "$OUTS/out.0" -type f | wc -l)
	OUT_MB=$(du -sm "$OUTS/out.0" | cut -f1)
	# The floor for writing the documents: copying drgen's output folder
	# (the same files and sizes) to a new folder beside it.
	measure copy "$RUNS" "cp -R '$OUTS/out.0' '$OUTS/copied.'\$RUN"
fi
STAGES=$(grep '^drgen: [a-z]* *[0-9.]* s$' "$WORK/build.err" | sed 's/^drgen: //' | tr -s ' ' | paste -sd, - | sed 's/,/, /g')

# Page-open time (issue 16): headless Chromium loads the page from disk and
# takes a screenshot, with a fresh profile, offline; what a reader waits.
BROWSER=""
for b in chromium chromium-browser; do command -v "$b" >/dev/null 2>&1 && BROWSER=$b && break; done
PAGES=""
if [ -n "$BROWSER" ] && [ -d "$OUTS/out.0" ] && [ "${BENCH_PAGES:-1}" != 0 ]; then
	first_runbook=$(ls "$OUTS/out.0/runbooks/" | grep '\.html$' | head -n 1)
	for page in index:index.html plan:plan.html audit:audit/2026-10.html \
		    runbook:runbooks/$first_runbook; do
		name=${page%%:*} file=${page#*:}
		[ -f "$OUTS/out.0/$file" ] || continue
		echo "bench: opening $file in $BROWSER" >&2
		PAGES="$PAGES $name:$file:$(du -k "$OUTS/out.0/$file" | cut -f1)"
		measure "open_$name" "${BENCH_PAGE_RUNS:-1}" "p=\$(mktemp -d); timeout ${BENCH_PAGE_TIMEOUT:-300} \
			$BROWSER --headless --no-sandbox --disable-gpu --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--disable-extensions --user-data-dir=\$p --window-size=1280,1024 \
			--screenshot='$WORK/open_$name.png' 'file://$OUTS/out.0/$file'; s=\$?; rm -rf \$p; exit \$s"
	done
fi
rm -rf "$OUTS"/out.* "$OUTS"/out-less.* "$OUTS"/copied.*

# The aggregation the issue measures: per datastore the newest successful
# finish and the number of failures.  (Comparing RFC 3339 strings ignores
# offsets: the baseline does less than drgen, which converts to UTC.)
AWK='BEGIN{FS="\t"} $2=="success" && $3>n[$1]{n[$1]=$3} $2=="failed"||$2=="partial"{f[$1]++} END{for(k in n)print k, n[k], f[k]+0}'
echo "bench: jq | awk ($SLOW_RUNS runs)" >&2
measure jq "$SLOW_RUNS" "jq -r '[.datastore,.status,.finished]|@tsv' $LOGS | awk '$AWK'"

if [ "$HAVE_PY" = 1 ]; then
	cat >"$WORK/agg.py" <<'EOF'
import json, sys
newest, failures = {}, {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            ds, st = r["datastore"], r["status"]
            if st == "success":
                t = r.get("finished")
                if t is not None and t > newest.get(ds, ""):
                    newest[ds] = t
            elif st in ("failed", "partial"):
                failures[ds] = failures.get(ds, 0) + 1
for ds in sorted(newest):
    print(ds, newest[ds], failures.get(ds, 0))
EOF
	echo "bench: python ($SLOW_RUNS runs)" >&2
	measure py "$SLOW_RUNS" "python3 '$WORK/agg.py' $LOGS"
fi

# Hugo over as many Markdown pages as drgen writes documents (about 4 KB
# each, like a runbook), for the "static site generator" half of SPEC 9.
if [ "$HAVE_HUGO" = 1 ]; then
	PAGES=$((SERVICES * 2))
	SITE=$WORK/hugo-$PAGES
	if [ ! -f "$SITE/.complete" ]; then
		rm -rf "$SITE"
		mkdir -p "$SITE/content/runbooks" "$SITE/layouts/_default"
		printf 'baseURL = "http://example.org/"\ntitle = "runbooks"\n' >"$SITE/config.toml"
		printf '<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>\n' \
			>"$SITE/layouts/_default/single.html"
		printf '<!DOCTYPE html><html><body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n' \
			>"$SITE/layouts/_default/list.html"
		awk -v n="$PAGES" -v dir="$SITE/content/runbooks" 'BEGIN {
			for (i = 0; i < n; i++) {
				f = sprintf("%s/service-%05d.md", dir, i)
				printf "---\ntitle: \"Runbook %d\"\n---\n\n# Recovery of service %d\n\n", i, i > f
				for (s = 0; s < 6; s++) {
					printf "## Step %d\n\n1. Verify the **target region** is healthy.\n2. Promote the replica and update `connection strings`.\n3. Shift traffic by weighted routing, 10 %% first.\n\n", s > f
					printf "| check | threshold | owner |\n|---|---|---|\n| replication lag | < 5 s | on-call |\n| error rate | < 0.1 %% | on-call |\n\nSee [the dashboard](https://dash.example/%d).\n\n", i > f
				}
				close(f)
			}
		}'
		touch "$SITE/.complete"
	fi
	echo "bench: hugo, $PAGES pages ($SLOW_RUNS runs)" >&2
	rm -rf "$OUTS"/hugo-out.*
	measure hugo "$SLOW_RUNS" "hugo --quiet -s '$SITE' -d '$OUTS/hugo-out.'\$RUN"
	rm -rf "$OUTS"/hugo-out.*
fi

# ---- report ----
mib() { awk -v k="$1" 'BEGIN{printf "%.0f", k / 1024}'; }
row() { # name label
	if [ -f "$WORK/$1.res" ]; then
		st=""; [ "$(res "$1" 3)" = 0 ] || st="  (FAILED)"
		printf '%-48s %9.2f s %8s MiB%s\n' "$2" "$(res "$1" 1)" "$(mib "$(res "$1" 2)")" "$st"
	fi
}
ingest=$(awk -v a="$(res plan_logs 1)" -v b="$(res plan_only 1)" 'BEGIN{printf "%.2f", a - b}')
echo
echo "drgen benchmark, BENCH_SIZE=$SIZE, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "plan: $SERVICES services, $RECORDS backup records in $(echo $LOGS | wc -w) files" \
     "($(awk -v b="$LOG_BYTES" -v r="$RECORDS" 'BEGIN{printf "%.2f GB, %.0f bytes a record", b / 1e9, b / r}')), $DRILLS drills"
echo "median of $RUNS runs ($SLOW_RUNS for jq, Python, Hugo); peak = largest resident set"
echo "documents written to $OUTS ($(df -PT "$OUTS" | awk 'NR==2{print $2}'))"
echo
printf '%-48s %11s %12s\n' "command" "wall" "peak"
row build "drgen build (whole plan, $N_FILES files)"
[ -z "$STAGES" ] || echo "  stages of the last run: $STAGES"
row check "drgen check (load and validate everything)"
row plan_only "drgen check, plan.json only"
row plan_logs "drgen check, plan.json + backup logs"
printf '%-48s %9.2f s\n' "  backup logs alone (difference)" "$ingest"
row wc "wc -l of the logs (reading floor)"
row copy "cp -R of the output, $OUT_MB MB (writing floor)"
row jq "jq | awk (newest success, failures)"
row py "Python json.loads per line"
row hugo "Hugo, $((SERVICES * 2)) Markdown pages"
if [ -n "$PAGES" ]; then
	echo
	echo "page open (headless $BROWSER: load and screenshot; target < 3 s each):"
	for p in $PAGES; do
		name=${p%%:*} rest=${p#*:}
		file=${rest%:*} kib=${rest##*:}
		row "open_$name" "  $file ($(awk -v k="$kib" 'BEGIN{printf "%.1f", k / 1024}') MB)"
	done
fi
echo
echo "memory against the number of backup records:"
printf '  %-10s %14s %14s\n' "records" "check peak" "build peak"
printf '  %-10s %10s MiB %10s MiB\n' "$LESS_RECORDS" "$(mib "$(res check_less 2)")" "$(mib "$(res build_less 2)")"
printf '  %-10s %10s MiB %10s MiB\n' "$RECORDS" "$(mib "$(res check 2)")" "$(mib "$(res build 2)")"
echo
awk -v b="$(res build 1)" -v j="$(res jq 1)" -v w="$(res wc 1)" -v i="$ingest" \
    -v p="$( [ -f "$WORK/py.res" ] && res py 1 || echo 0)" \
    -v h="$( [ -f "$WORK/hugo.res" ] && res hugo 1 || echo 0)" 'BEGIN {
	printf "ratios:\n"
	printf "  drgen build / jq|awk   = %.3f   (drgen build is %.1fx faster; target >= 10x, aim 20x)\n", b / j, j / b
	if (p > 0) printf "  drgen build / Python   = %.3f   (%.1fx faster)\n", b / p, p / b
	if (h > 0) printf "  drgen build / Hugo     = %.3f   (%.1fx faster)\n", b / h, h / b
	printf "  drgen build / wc -l    = %.1f\n", b / w
	printf "  log ingest  / wc -l    = %.1f   (target <= 8)\n", i / w
}'
[ "$(res build 3)" = 0 ] || { echo "bench: drgen build failed" >&2; exit 1; }
