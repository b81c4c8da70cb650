#!/bin/sh
# Runs every test of drgen against one build variant (default build/san):
# the cmocka unit binaries, then every suite script in tests/suites/.
# Suite scripts print "ok - NAME", "not ok - NAME" or "skip - NAME: why"
# lines; this runner counts them and closes with "N passed, M failed".
set -u
VARIANT=${1:-build/san}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export DRGEN="$ROOT/$VARIANT/drgen"
export DRGEN_RELEASE="$ROOT/build/drgen"
export DRGEN_ROOT="$ROOT"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export SHARED_DIR="${SHARED_DIR:-$ROOT/../shared}"
TMPBASE=$(mktemp -d)
trap 'rm -rf "$TMPBASE"' EXIT
export TMPBASE

passed=0; failed=0; skipped=0
failures=""

for t in "$VARIANT"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log="$TMPBASE/$name.log"
	if "$t" >"$log" 2>&1; then
		n=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END{print s+0}')
		passed=$((passed + n))
		echo "ok - unit/$name ($n tests)"
	else
		n=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END{print s+0}')
		[ "$n" -gt 0 ] || n=1
		failed=$((failed + n))
		failures="$failures unit/$name"
		echo "not ok - unit/$name"
		sed 's/^/    /' "$log" | tail -40
	fi
done

for s in tests/suites/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	log="$TMPBASE/suite-$name.log"
	sh "$s" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log"); k=$(grep -c '^skip ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited $rc" >>"$log"; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + k))
	if [ "$f" -gt 0 ]; then
		failures="$failures $name"
		echo "not ok - suite $name ($p passed, $f failed)"
		grep -v '^ok ' "$log" | sed 's/^/    /' | tail -60
	else
		echo "ok - suite $name ($p passed, $k skipped)"
		grep '^skip ' "$log" | sed 's/^/    /'
	fi
done

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
