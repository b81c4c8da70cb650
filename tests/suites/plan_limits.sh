#!/bin/sh
# Numbers at the documented limits of plan.json (docs/plan-format.md,
# "Limits") build with the shipped rules; one above a limit is refused by
# `drgen check` and `drgen build` at plan.json:LINE:COL, and no shipped rule
# (lua/cost.lua, lua/tiers.lua) is ever blamed for the plan's data.
. "$DRGEN_ROOT/tests/lib/suite.sh"

LIMIT=${PLAN_LIMITS_TIMEOUT:-120}
SAMPLE=$DRGEN_ROOT/samples/kestrel

# plan_with DIR COST REVENUE COUNT HOURS MINUTES GB: the sample with the
# first value of each key set.
plan_with() {
	rm -rf "$1"
	cp -R "$SAMPLE" "$1"
	sed -e "0,/\"monthly_cost\": [0-9.e+]*/s//\"monthly_cost\": $2/" \
	    -e "0,/\"revenue_loss_per_hour\": [0-9.e+]*/s//\"revenue_loss_per_hour\": $3/" \
	    -e "0,/\"customers_affected\": [0-9.e+]*/s//\"customers_affected\": $4/" \
	    -e "0,/\"mtpd_hours\": [0-9.e+]*/s//\"mtpd_hours\": $5/" \
	    -e "0,/\"after_minutes\": [0-9.e+]*/s//\"after_minutes\": $6/" \
	    -e "0,/\"size_gb\": [0-9.e+]*/s//\"size_gb\": $7/" \
	    "$SAMPLE/plan.json" >"$1/plan.json"
	for v in "monthly_cost\": $2" "revenue_loss_per_hour\": $3" "customers_affected\": $4" \
		 "mtpd_hours\": $5" "after_minutes\": $6" "size_gb\": $7"; do
		grep -q "$v" "$1/plan.json" || fail "plan_limits: the test plan has no $v"
	done
}

# At the limits: check and build succeed.
plan_with "$TMP/at" 1e12 1e12 1e12 1e6 1e6 1e9
NO_COLOR=1 timeout "$LIMIT" "$DRGEN" check "$TMP/at" >"$TMP/check.out" 2>&1
check "plan_limits: numbers at the limits pass check" test $? = 0
NO_COLOR=1 timeout "$LIMIT" "$DRGEN" build "$TMP/at" -o "$TMP/out" >"$TMP/build.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && ! grep -q 'lua:[0-9]*: error' "$TMP/build.out"; then
	ok "plan_limits: numbers at the limits build with the shipped rules"
else
	fail "plan_limits: numbers at the limits build with the shipped rules (exit $rc)"
	sed 's/^/    | /' "$TMP/build.out" | head -20
fi
grep -rq '1,000,000,000,000' "$TMP/out" ||
	fail "plan_limits: the revenue at the limit is not shown in the documents"

# One above each limit: refused at its place, by check and by build alike.
above() { # NAME COST REVENUE COUNT HOURS MINUTES GB KEY
	plan_with "$TMP/$1" "$2" "$3" "$4" "$5" "$6" "$7"
	for cmd in check build; do
		out=
		[ "$cmd" = build ] && out="$TMP/$1.out"
		NO_COLOR=1 timeout "$LIMIT" "$DRGEN" $cmd "$TMP/$1" ${out:+-o "$out"} >"$TMP/$1.txt" 2>&1
		rc=$?
		if [ "$rc" = 2 ] &&
		   grep -Eq "plan\\.json:[0-9]+:[0-9]+: error: invalid value for \"$8\": expected a number from 0 to " "$TMP/$1.txt" &&
		   ! grep -q '\.lua:' "$TMP/$1.txt"; then
			ok "plan_limits: $cmd refuses $8 above its limit at plan.json:L:C"
		else
			fail "plan_limits: $cmd refuses $8 above its limit at plan.json:L:C (exit $rc)"
			sed 's/^/    | /' "$TMP/$1.txt" | head -20
		fi
	done
	[ ! -e "$TMP/$1.out" ] || fail "plan_limits: a refused build of $1 wrote its output"
}
above cost 1000000000001 1e12 1e12 1e6 1e6 1e9 monthly_cost
above cost15 1e15 1e12 1e12 1e6 1e6 1e9 monthly_cost
above revenue 1e12 1e18 1e12 1e6 1e6 1e9 revenue_loss_per_hour
above count 1e12 1e12 1.5e12 1e6 1e6 1e9 customers_affected
above hours 1e12 1e12 1e12 1000001 1e6 1e9 mtpd_hours
above minutes 1e12 1e12 1e12 1e6 1000001 1e9 after_minutes
above size 1e12 1e12 1e12 1e6 1e6 1000000001 size_gb
"$DRGEN" help limits >"$TMP/limits.txt" 2>&1
check "plan_limits: help limits lists the money limit" grep -q 'revenue_loss_per_hour *0 to 1e12' "$TMP/limits.txt"
rm -rf "$TMP"
