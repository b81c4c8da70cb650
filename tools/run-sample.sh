#!/bin/sh
# make run: generates the sample organization's documents and says where they are.
set -eu
DRGEN=$1 SAMPLE=$2 OUT=$3
# The sample's report month is October 2026; pinning it keeps output stable.
"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10
echo
echo "Open these in a browser:"
echo "  $OUT/index.html          dashboard"
echo "  $OUT/plan.html           the DR plan"
echo "  $OUT/runbooks/           one runbook per service"
echo "  $OUT/audit/2026-10.html  the audit report"
echo "  $OUT/evidence/           results.json, controls.xml, backups.csv, manifest"
