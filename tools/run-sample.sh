#!/bin/sh
# make run: generates the sample organization's documents and says where they are.
set -eu
DRGEN=$1 SAMPLE=$2 OUT=$3
# The sample's report month is October 2026; pinning it keeps output stable.
# Its backup logs and drills reach back before October, so September can be
# judged too: that build (results.json is all a comparison reads) goes to a
# folder of its own, and October's report says what changed since it.
PREV="${OUT%/}-previous"
"$DRGEN" build "$SAMPLE" -o "$PREV" --period 2026-09 --format json -q
"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10 --previous "$PREV"
echo
echo "Open these in a browser:"
echo "  $OUT/index.html          dashboard"
echo "  $OUT/plan.html           the DR plan"
echo "  $OUT/runbooks/           one runbook per service"
echo "  $OUT/audit/2026-10.html  the audit report (with the changes since 2026-09)"
echo "  $OUT/evidence/           results.json, controls.xml, backups.csv, manifest"
echo "  $PREV/           the September build it was compared with"
