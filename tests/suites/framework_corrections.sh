#!/bin/sh
# framework_corrections.sh -- issue 13, items 7, 13 and 14, on the sample
# (samples/kestrel) and on mutations of it, each asserting the exact status
# and reason:
#   7  controls the data cannot prove are partial at best, with an "Ask for"
#      naming what the machine cannot see; ISO 27001 A.7.10 judges every
#      copy; PCI 9.4.1.1 does not fail on a datastore with no backup at all
#   13 DORA: Art. 16(1) entity and microenterprise as independent flags,
#      n/a reasons quoting the article, RTS Art. 24 two-hour limits for
#      CCPs, CSDs and trading venues (boundaries at the limit and one
#      minute inside it)
#   14 PCI DSS v4.0.1; NIST CP-3(2), CP-11, CP-12, CP-13; SP 800-53B
#      baselines of every NIST control in results.json and the audit report
# and: every `pass` names at least one evidence item that is not an
# attestation, unless the control is attestation-only by definition.
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v jq >/dev/null 2>&1 || { skip "framework corrections: jq not installed (make deps)"; exit 0; }
[ -x "$DRGEN" ] || { skip "framework corrections: $DRGEN is not built"; exit 0; }
SAMPLE="$DRGEN_ROOT/samples/kestrel"
jqe() { jq -e "$@" >/dev/null; }

# variant NAME JQ-FILTER [TIER2-RTO TIER2-RPO]: the sample with plan.json
# rewritten by the filter (and tier 2's objectives changed by a plan's
# rules/tiers.lua), built into $TMP/out-NAME; R is its results.json.
variant() {
	v=$1 d="$TMP/$1"
	rm -rf "$d"
	cp -R "$SAMPLE" "$d"
	jq "$2" "$SAMPLE/plan.json" >"$d/plan.json"
	if [ -n "${3:-}" ]; then
		mkdir -p "$d/rules"
		printf 'local shipped = require("tiers")\nshipped.levels[2].rto_minutes = %s\nshipped.levels[2].rpo_minutes = %s\nreturn shipped\n' \
			"$3" "$4" >"$d/rules/tiers.lua"
	fi
	"$DRGEN" build "$d" -o "$TMP/out-$v" --period 2026-10 -q 2>"$TMP/err-$v"
	check "$v: the plan builds" test $? -eq 0
	R="$TMP/out-$v/evidence/results.json"
}

# is FRAMEWORK CONTROL STATUS REASON-JQ-TEST: the control has STATUS and its
# reason passes the test (a jq boolean on the string `.`).
is() {
	got=$(jq -r --arg f "$1" --arg c "$2" \
		'.controls[] | select(.framework == $f and .control == $c) | .status' "$R")
	if [ "$got" != "$3" ]; then
		fail "$v: $1 $2 is $3 (got ${got:-nothing})"
		jq -r --arg f "$1" --arg c "$2" \
			'.controls[] | select(.framework == $f and .control == $c) | "    " + .reason' "$R"
		return
	fi
	if jq -e --arg f "$1" --arg c "$2" \
		".controls[] | select(.framework == \$f and .control == \$c) | .reason | $4" "$R" >/dev/null; then
		ok "$v: $1 $2 is $3, for the stated reason"
	else
		fail "$v: $1 $2 is $3 but the reason differs"
		jq -r --arg f "$1" --arg c "$2" \
			'.controls[] | select(.framework == $f and .control == $c) | "    " + .reason' "$R"
	fi
}

# Every pass names evidence that is not an attestation (nor an exception,
# nor the "and N more" counter), unless the control has no counted check.
evidence_rule() {
	bad=$(jq -r '.controls[] | select(.status == "pass")
		| select(((.checks // []) | map(select(.informational != true)) | length) > 0)
		| select([.evidence[] | select((type == "object" and (has("attestation") | not)
			and (has("exception") | not)) or (type == "string" and (startswith("and ") | not)))]
			| length == 0)
		| .framework + " " + .control' "$R")
	if [ -z "$bad" ]; then
		ok "$v: every pass names evidence other than an attestation"
	else
		fail "$v: passes resting on attestations alone: $(echo $bad)"
	fi
}

# ---- item 7 on the sample ---------------------------------------------------------
variant sample '.'
evidence_rule
check "sample: some controls pass (the evidence rule is not vacuous)" jqe \
	'[.controls[] | select(.status == "pass" and ((.checks // []) | length) > 0)] | length >= 3' "$R"
is iso22301 9.1 partial 'endswith("; partial at best, because KPIs that can be computed are not monitoring and evaluation: what is measured and when, and management'"'"'s analysis of the results, are not in the data")'
check "sample: ISO 22301 9.1 asks for management's evaluation" jqe \
	'.controls[] | select(.framework == "iso22301" and .control == "9.1") | .ask | contains("management'"'"'s documented evaluation")' "$R"
# A.7.10 judges every copy (storage media), not only the offsite ones.
is iso27001 A.7.10 fail '. == "merchant-db (important): 22 copies unencrypted at secondary"'
is nist80053 'CP-9(2)' partial 'endswith("; partial at best, because the drills do not record that a sample of backup information was restored in them")'
is hipaa '164.312(a)(2)(iv)' partial '. == "1 datastore, every successful copy encrypted with an accepted algorithm; partial at best, because the backup records show the encryption of backup copies only, not of ePHI in the systems that hold it"'
is pci 3.5.1 partial 'startswith("5 datastores, every successful copy encrypted with an accepted algorithm; partial at best, because the backup records cover backup copies only; PAN in the datastores themselves, logs and other media is not in the data")'
is dora 'Art. 25(1)' partial '. == "scenario-based failover test dr-2026-10-partial-failover on 2026-10-20; partial at best, because a scenario-based test is one of the range of tests Art. 25(1) lists"'
is nist80053 'CP-4(1)' partial '. == "card-authorization (tier 1): its dependency fx-rates not in drill dr-2026-10-full-simulation (2026-10-06)"'
is hipaa '164.316(b)(2)' partial 'startswith("plan: the last review (2026-03-20) predates drill dr-2026-10-full-simulation")'
# 9.4.1.1: fraud-models has no backup at all; that is 12.10.1's failure, not 9.4.1.1's.
is pci 9.4.1.1 partial 'startswith("fraud-features has no offsite copy, only a secondary one (separation from the primary site not shown); keyvault-db has no offsite copy, only a secondary one (separation from the primary site not shown)") and (contains("fraud-models") | not)'
is pci 12.10.1 fail 'contains("fraud-models (important) has no successful backup")'
check "sample: controls capped at partial say what to ask for" jqe \
	'all(.controls[] | select(.reason | contains("partial at best")); .ask | type == "string" and length > 0)' "$R"
# item 13: the sample (a payment institution) is the standard regime
check "sample: DORA regime is standard" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "standard"' "$R"
is dora 'RTS Art. 24' 'n/a' 'startswith("RTS 2024/1774 Art. 24(2) to (4) add recovery limits for \"central counterparties\"")'
is dora 'RTS Art. 40' 'n/a' 'startswith("RTS 2024/1774 Title III applies to \"the financial entities referred to in Article 16(1) of Regulation (EU) 2022/2554\"")'
is dora 'Art. 12(5)' 'n/a' '. == "DORA Art. 12(5): \"Central securities depositories shall maintain at least one secondary processing site\"; this entity is not a central securities depository"'

# ---- item 14 on the sample ------------------------------------------------------------
check "sample: PCI DSS is v4.0.1" jqe \
	'.compliance.frameworks[] | select(.framework == "pci") | .name == "PCI DSS v4.0.1"' "$R"
check "sample: every NIST control carries its SP 800-53B baselines" jqe \
	'all(.controls[] | select(.framework == "nist80053"); .baselines | type == "array")' "$R"
check "sample: no other framework's control carries baselines" jqe \
	'all(.controls[] | select(.framework != "nist80053"); has("baselines") | not)' "$R"
expect_baselines() {
	got=$(jq -c --arg c "$1" '.controls[] | select(.framework == "nist80053" and .control == $c) | .baselines' "$R")
	if [ "$got" = "$2" ]; then ok "sample: $1 baselines $2"; else fail "sample: $1 baselines $2 (got $got)"; fi
}
expect_baselines CP-1 '["low","moderate","high"]'
expect_baselines 'CP-2(1)' '["moderate","high"]'
expect_baselines 'CP-2(2)' '["high"]'
expect_baselines 'CP-4(5)' '[]'
expect_baselines CP-11 '[]'
expect_baselines 'CP-2(4)' '[]'
for c in 'CP-3(2)' CP-11 CP-12 CP-13; do
	is nist80053 "$c" 'n/a' '. == "not selected by the high baseline (compliance.profile.nist80053.baseline)"'
done
A="$TMP/out-sample/audit/2026-10"
check "sample: the audit (HTML) shows CP-2(1)'s baselines" \
	grep -q '>CP-2(1)</a></th><td>Coordinate with related plans<br><span class="note">SP 800-53B baselines: moderate, high</span>' "$A.html"
check "sample: the audit (Markdown) shows CP-2(2)'s baselines" \
	grep -q '^| <a id="nist80053-cp-2-2"></a>\[CP-2(2)\](#nist80053-cp-2-2) | Capacity planning (SP 800-53B baselines: high) |' "$A.md"
check "sample: the audit shows no baselines for other frameworks" \
	sh -c '! grep -q "^| A.8.13 | Information backup (SP 800-53B" "$1"' _ "$A.md"

variant nist_all '.compliance.profile.nist80053 = {"baseline": "all"}'
is nist80053 CP-11 attest '. == "no attestation of alternate_protocols on record"'
is nist80053 CP-13 attest '. == "no attestation of alternative_security_mechanisms on record"'
# CP-1, CP-2 (8), CP-3 (2), CP-4 (5), CP-5, CP-6 (3), CP-7 (6), CP-8 (5),
# CP-9 (8), CP-10 (6), CP-11, CP-12, CP-13: 56 with the enhancements
check "nist_all: the CP family is complete (56 controls, CP-1 to CP-13)" jqe \
	'[.controls[] | select(.framework == "nist80053")] | length == 56' "$R"
variant nist_moderate '.compliance.profile.nist80053 = {"baseline": "moderate"}'
is nist80053 'CP-2(2)' 'n/a' '. == "not selected by the moderate baseline (compliance.profile.nist80053.baseline)"'
check "nist_moderate: baselines are shown whatever the baseline chosen" jqe \
	'.controls[] | select(.control == "CP-2(2)") | .baselines == ["high"]' "$R"

# ---- item 7 on mutations ------------------------------------------------------------
# Every copy of merchant-db encrypted: A.7.10's data pass, and it is still
# partial, because media handling is not in the records.
v=encrypted d="$TMP/encrypted"
rm -rf "$d"; cp -R "$SAMPLE" "$d"
sed 's/"datastore":"merchant-db"\(.*\)"encryption":"none"/"datastore":"merchant-db"\1"encryption":"aes-256-cbc"/' \
	"$SAMPLE/backups/2026-10-db-agent.ndjson" >"$d/backups/2026-10-db-agent.ndjson"
"$DRGEN" build "$d" -o "$TMP/out-$v" --period 2026-10 -q 2>"$TMP/err-$v"
check "encrypted: the plan builds" test $? -eq 0
R="$TMP/out-$v/evidence/results.json"
is iso27001 A.7.10 partial 'endswith("every successful copy encrypted with an accepted algorithm; partial at best, because the backup records show how the copies are encrypted, not how the media are handled, transported, reused or disposed of")'
evidence_rule

# The healthy fixture: controls that pass on their data are partial at best.
v=healthy
"$DRGEN" build "$DRGEN_ROOT/tests/compliance/healthy/plan" -o "$TMP/out-healthy" \
	--as-of 2026-11-01T00:00:00Z -q 2>"$TMP/err-healthy"
check "healthy: the plan builds" test $? -eq 0
R="$TMP/out-healthy/evidence/results.json"
is iso27001 A.5.26 partial 'endswith("; partial at best, because drills show the procedures work in an exercise; responses to real incidents are not in the data")'
is nist80053 'CP-4(1)' partial 'endswith("; partial at best, because a drill that includes the dependencies does not show that the test was coordinated with the owners of the related plans")'
is hipaa '164.316(b)(2)' partial 'endswith("; partial at best, because a plan review shows (iii) updates only; retention for six years (i) and availability to those who use it (ii) are not in the data")'
is dora 'Art. 12(3)' partial 'endswith("; partial at best, because an offsite copy is not a segregated restoration environment; where restores run is not in the data")'
evidence_rule

# ---- item 13: DORA regimes -------------------------------------------------------------
MICRO_WORDS='this entity is a microenterprise (DORA Art. 3(60))'
variant micro '.compliance.profile.dora = {"microenterprise": true}'
check "micro: regime microenterprise" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "microenterprise"' "$R"
is dora 'Art. 11(7)' 'n/a' '. == "DORA Art. 11(7): \"Financial entities, other than microenterprises, shall have a crisis management function\"; '"$MICRO_WORDS"'"'
is dora 'Art. 12(4)' attest '. == "no attestation of redundancy_need_assessed on record"'
for c in 'Art. 24(1)' 'Art. 24(4)' 'Art. 24(5)' 'Art. 24(6)'; do
	is dora "$c" 'n/a' 'startswith("DORA '"$c"': \"") and contains("other than microenterprises") and endswith("'"$MICRO_WORDS"'")'
done
is dora 'RTS Art. 40' 'n/a' 'endswith("(a microenterprise follows DORA Arts 11 and 12 with their carve-outs)")'
# Arts 11 and 12 still apply, with their carve-outs.
is dora 'Art. 12(1)' fail 'startswith("fraud-models (important) has no successful backup")'
check "micro: Art. 11(3) needs no internal audit" jqe \
	'.controls[] | select(.control == "Art. 11(3)") | (.attestations // []) | length == 0' "$R"
check "micro: Art. 11(6) without the switchover and cyber-attack sub-checks" jqe \
	'.controls[] | select(.control == "Art. 11(6)") | .checks | length == 1' "$R"
is dora 'Art. 25(1)' partial 'startswith("scenario-based failover test")'

variant art16 '.organization.entity_type = "small_iorp"'
check "art16: regime article_16" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "article_16"' "$R"
for c in 'Art. 11(1)' 'Art. 11(7)' 'Art. 12(2)' 'Art. 12(4)' 'Art. 12(5)' 'Art. 12(7)'; do
	is dora "$c" 'n/a' '. == "DORA Art. 16(1): \"Articles 5 to 15 of this Regulation shall not apply\" to the entities it lists; this one follows the simplified ICT risk management framework (RTS 2024/1774 Title III)"'
done
# Chapter IV still applies to an Art. 16(1) entity that is not a microenterprise.
is dora 'Art. 24(1)' partial '. == "event-streaming (tier 2): only 1 drill type in 36 months (at least 2 wanted)"'
is dora 'Art. 24(6)' pass 'startswith("11 critical or important services")'
is dora 'RTS Art. 40' fail 'startswith("ledger-db (critical, every 365 days): ")'
is dora 'RTS Art. 39' partial 'contains("card-authorization: depends on fx-rates")'
evidence_rule

variant both '.compliance.profile.dora = {"microenterprise": true, "article_16": true}'
check "both: regime article_16+microenterprise" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "article_16+microenterprise"' "$R"
is dora 'Art. 11(7)' 'n/a' 'startswith("DORA Art. 16(1): ")'
is dora 'Art. 24(6)' 'n/a' 'endswith("'"$MICRO_WORDS"'")'
is dora 'RTS Art. 40' fail 'startswith("ledger-db (critical, every 365 days): ")'

variant not_art16 '.organization.entity_type = "small_iorp" | .compliance.profile.dora = {"article_16": false}'
check "not_art16: the profile's flag wins over entity_type" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "standard"' "$R"

variant badflag '.compliance.profile.dora = {"microenterprise": "yes"}'
"$DRGEN" build "$TMP/badflag" -o "$TMP/out-badflag2" --period 2026-10 2>"$TMP/err-badflag"
check "badflag: a flag that is not true or false is a warning and the default" \
	grep -q 'compliance.profile.dora.microenterprise: expected true or false; using the default' "$TMP/err-badflag"
check "badflag: regime standard" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "standard"' "$R"

# RTS Art. 24: tier 1 RTO 5 min and tier 2 RTO 60 min are within two hours;
# tier 3 (240 min) is not.
variant ccp '.organization.entity_type = "ccp"'
is dora 'RTS Art. 24' pass '. == "11 critical or important services, each with an RTO of at most 2 hours"'
evidence_rule
variant ccp_tier3 '.organization.entity_type = "central_counterparty" | .compliance.profile.important_tiers = [1, 2, 3]'
is dora 'RTS Art. 24' fail 'startswith("fx-rates (tier 3): RTO 4 hours is longer than 2 hours; notifications (tier 3): RTO 4 hours is longer than 2 hours; data-warehouse (tier 3)")'
variant ccp_loosen '.organization.entity_type = "ccp" | .compliance.profile.important_tiers = [1, 2, 3] | .compliance.profile.rts24_max_rto_minutes = 600'
is dora 'RTS Art. 24' fail 'startswith("fx-rates (tier 3): RTO 4 hours is longer than 2 hours")'
# boundaries: tier 2's RTO is 60 minutes
variant csd_at '.organization.entity_type = "csd" | .compliance.profile.dora = {"rts24_max_rto_minutes": 60}'
is dora 'RTS Art. 24' pass '. == "11 critical or important services, each with an RTO of at most 1 hour"'
is dora 'Art. 12(5)' fail 'contains("benefits-claims (tier 2) runs in 1 region")'
variant csd_below '.organization.entity_type = "csd" | .compliance.profile.dora = {"rts24_max_rto_minutes": 59}'
is dora 'RTS Art. 24' fail 'startswith("settlement (tier 2): RTO 1 hour is longer than 59 minutes; ")'
# trading venues: data loss close to zero (at most 5 minutes by default;
# tier 2's RPO is 5 minutes)
variant venue '.organization.entity_type = "regulated_market"'
check "venue: regime trading_venue" jqe \
	'.compliance.frameworks[] | select(.framework == "dora") | .regime == "trading_venue"' "$R"
is dora 'RTS Art. 24' pass '. == "11 critical or important services, each with an RTO of at most 2 hours and an RPO of at most 5 minutes"'
variant venue_rpo '.organization.entity_type = "mtf" | .compliance.profile.dora = {"rts24_trading_venue_max_rpo_minutes": 4}'
is dora 'RTS Art. 24' fail 'startswith("settlement (tier 2): RPO 5 minutes is more than 4 minutes; ")'
# The shipped limits at their boundaries: tier 2 recovering in exactly two
# hours passes, one minute more fails; a trading venue's tier 2 losing
# exactly 5 minutes of data passes, 6 fails.
variant ccp_120 '.organization.entity_type = "ccp"' 120 5
is dora 'RTS Art. 24' pass '. == "11 critical or important services, each with an RTO of at most 2 hours"'
variant ccp_121 '.organization.entity_type = "ccp"' 121 5
is dora 'RTS Art. 24' fail 'startswith("settlement (tier 2): RTO 121 minutes is longer than 120 minutes; ")'
variant venue_rpo5 '.organization.entity_type = "otf"' 120 5
is dora 'RTS Art. 24' pass '. == "11 critical or important services, each with an RTO of at most 2 hours and an RPO of at most 5 minutes"'
variant venue_rpo6 '.organization.entity_type = "otf"' 120 6
is dora 'RTS Art. 24' fail 'startswith("settlement (tier 2): RPO 6 minutes is more than 5 minutes; ")'
