#!/bin/sh
# update-golden.sh [DRGEN] -- regenerates tests/golden/expected from
# tests/golden/small-plan after a deliberate change to the documents, with
# the same period and as-of time as tests/suites/golden.sh.  Review the
# result with `git diff tests/golden/expected` before committing it.
set -eu
cd "$(dirname "$0")/.."
DRGEN=${1:-build/drgen}
[ -x "$DRGEN" ] || { echo "update-golden: $DRGEN not built (make build/drgen)" >&2; exit 2; }
unset SOURCE_DATE_EPOCH
rm -rf tests/golden/expected
"$DRGEN" build tests/golden/small-plan -o tests/golden/expected --period 2026-10 \
	--as-of 2026-11-01T00:00:00Z -q
echo "update-golden: wrote tests/golden/expected ($(find tests/golden/expected -type f | wc -l) files)"
