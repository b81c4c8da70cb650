# Verdicts an auditor can defend (issue 13, items 8-12), each on a
# mutation of the sample (samples/kestrel), asserting the exact status and
# reason:
#   8  a service without impact data is unclassified, judged as tier 1
#   9  unknown keys in plan.json and drill files are errors; unknown keys
#      of backup records are counted warnings listed in the audit's scope
#   10 attestations: contact attesters, a statement, topic maximum ages
#      whatever the expiry, independence
#   11 exceptions: id, approver (not the owner), approval date, maximum
#      duration, datastore and check scope, every one recorded, control
#      ids checked, reasons without waived subjects
#   12 HIPAA addressable specifications: "alternative measure documented"
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v jq >/dev/null || { skip "verdicts_accountable: jq not installed"; exit 0; }
SRC="$DRGEN_ROOT/samples/kestrel"
jqe() { jq -e "$@" >/dev/null; }

# mk NAME FILTER: the sample with plan.json passed through jq FILTER, built
# into $TMP/out-NAME; sets P (plan dir), O (output), R (results.json), RC,
# E (stderr file).
mk() {
	P="$TMP/$1" O="$TMP/out-$1"
	rm -rf "$P" "$O"
	cp -R "$SRC" "$P"
	jq "$2" "$SRC/plan.json" >"$P/plan.json"
	"$DRGEN" build "$P" -o "$O" -q 2>"$TMP/$1.err"
	RC=$? E="$TMP/$1.err" R="$O/evidence/results.json"
}
# ctl FRAMEWORK CONTROL: "status<TAB>reason" of a control in $R.
ctl() {
	jq -r --arg f "$1" --arg c "$2" \
		'.controls[] | select(.framework == $f and .control == $c) | "\(.status)\t\(.reason)"' "$R"
}
# is LABEL GOT EXPECTED
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; printf '    got:      %s\n    expected: %s\n' "$2" "$3"; fi
}
# err_has LABEL TEXT: the build failed (exit 2) and stderr has TEXT.
err_has() {
	if [ "$RC" -eq 2 ] && grep -qF -- "$2" "$E"; then ok "$1"; else
		fail "$1 (exit $RC)"; sed 's/^/    /' "$E" | head -8; fi
}
TAB=$(printf '\t')

# ---- the sample itself ---------------------------------------------------------

mk sample '.'
check "sample: builds cleanly (exit 0, no warning about attestations or exceptions)" \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "attestation\|exception" "$2"' _ "$RC" "$E"
is "sample: A.8.14 records both exceptions applied, in plan order" \
	"$(jq -r '.controls[] | select(.framework == "iso27001" and .control == "A.8.14") | [.status, (.exceptions | map(.id) | join(","))] | join(" ")' "$R")" \
	"waived EX-2026-01,EX-2026-04"
is "sample: both exceptions of A.8.14 are in its evidence" \
	"$(jq -r '.controls[] | select(.framework == "iso27001" and .control == "A.8.14") | [.evidence[] | objects | .exception // empty] | join(",")' "$R")" \
	"EX-2026-01,EX-2026-04"
is "sample: 164.310(a)(2)(i) is alternative, with the measure and the security official" \
	"$(ctl hipaa '164.310(a)(2)(i)')" \
	"alternative${TAB}alternative measure documented: Break-glass IAM roles for restoring claims-db in eu-central-1, tested in each quarterly restore rehearsal, and an annual review of the provider's SOC 2 report on physical access to its facilities (attested by Claire Whitford (Benefits Card Engineering Lead) on 2026-04-08, approved by the security official Lucia Ferraro); data checks: no attestation of facility_access_for_recovery on record"
check "sample: the audit shows ALTERNATIVE MEASURE DOCUMENTED" grep -q "ALTERNATIVE MEASURE DOCUMENTED" "$O/audit/2026-11.md"
check "sample: controls.xml skips the alternative measure" sh -c \
	'grep -A1 "164.310(a)(2)(i)" "$1" | grep -q "<skipped"' _ "$O/evidence/controls.xml"
is "sample: internal audit by the independent Head of Internal Audit, expired" \
	"$(ctl iso22301 9.2)" \
	"attest${TAB}the attestation of internal_audit by Rebecca Okoro (Head of Internal Audit (independent of IT)) expired on 2026-10-02"
is "sample: attestations name the contact and the role" \
	"$(jq -r '[.controls[] | select(.framework == "iso22301" and .control == "9.3") | .attestations[0] | .attester, .attester_id, .role] | join("|")' "$R")" \
	"Helena Brandt|helena-brandt|Chief Operating Officer; crisis management lead"

# ---- 8: impact unknown -----------------------------------------------------------

mk noimpact '(.services[] | select(.id == "internal-wiki")) |= del(.impact)'
check "8: a service without impact builds" test "$RC" -eq 0
is "8: internal-wiki (tier 4 by its revenue) is unclassified and judged as tier 1" \
	"$(jq -r '.services[] | select(.id == "internal-wiki") | [.tier, .tier_name, .tier_source, .rpo_minutes, .rto_minutes, .tier_reason] | map(tostring) | join("|")' "$R")" \
	"1|unclassified|unclassified|0|5|no business impact recorded (revenue loss per hour): judged as tier 1 until classified"
is "8: the impact_unknown finding" \
	"$(jq -r '.findings[] | select(.kind == "impact_unknown") | [.severity, .subject, .message] | join("|")' "$R")" \
	"high|internal-wiki|internal-wiki has no business impact recorded (revenue loss per hour), so its tier is unknown; it is judged as tier 1 (RPO 0 minutes, RTO 5 minutes) until classified"
is "8: ISO 22301 8.2.1 is partial for the missing impact figure" \
	"$(ctl iso22301 8.2.1)" "partial${TAB}card-authorization: depends on fx-rates (tier 3, RTO 4 hours), slower than its own RTO of 5 minutes; internal-wiki: no impact figure"
check "8: the datastores of internal-wiki are judged against RPO 0, not a day" jqe \
	'[.datastores[] | select(.service == "internal-wiki") | .rpo_minutes] | all(. == 0) and length > 0' "$R"
check "8: the dashboard shows UNCLASSIFIED" grep -q "UNCLASSIFIED" "$O/index.html"
check "8: the plan shows it unclassified" grep -q "| 1 (unclassified) |" "$O/plan.md"
check "8: the runbook shows it unclassified" grep -q "tier 1 (unclassified)" "$O/runbooks/internal-wiki.md"
check "8: the audit's scope names it" grep -q "judged as tier 1 until classified: internal-wiki" "$O/audit/2026-11.md"
mk impact_tier '(.services[] | select(.id == "internal-wiki")) |= (del(.impact) | .tier = 2)'
is "8: an explicit tier without impact stays, with a medium finding" \
	"$(jq -r '[(.services[] | select(.id == "internal-wiki") | .tier, .tier_source), (.findings[] | select(.kind == "impact_unknown") | .severity)] | map(tostring) | join("|")' "$R")" \
	"2|override|medium"

# ---- 9: unknown keys -------------------------------------------------------------

mk typo '(.services[] | select(.id == "fraud-scoring")) |= (.depend_on = .depends_on | del(.depends_on))'
err_has "9: \"depend_on\" is an error with did you mean" 'error: unknown key "depend_on" in service, did you mean "depends_on"'
check "9: no output is written for the typo" test ! -e "$TMP/out-typo/evidence/results.json"
mk typo_top '.exceptionz = []'
err_has "9: a top-level typo is an error" 'error: unknown key "exceptionz" in plan.json, did you mean "exceptions"'
mk drilltypo '.'
sed 's/"recovery_minutes": 2.2,/"recovery_minute": 2.2,/' "$SRC/drills/2026-10-06-full-simulation.json" \
	>"$P/drills/2026-10-06-full-simulation.json"
"$DRGEN" build "$P" -o "$O" -q 2>"$E"; RC=$?
err_has "9: an unknown key in a drill file is an error" 'error: unknown key "recovery_minute" in drill result, did you mean "recovery_minutes"'
mk backupkey '.'
printf '%s\n' '{"id":"x-1","datastore":"wiki-db","type":"snapshot","started":"2026-11-20T01:00:00Z","finished":"2026-11-20T01:10:00Z","status":"success","bytes":10,"location":"primary","region":"eu-west-1","encryption":"aes-256-gcm","compression":"zstd","immutable":false,"retention_days":7,"verification":"checksum","verified_ok":true,"operator":"cron"}' \
	>>"$P/backups/2026-10-db-agent.ndjson"
"$DRGEN" build "$P" -o "$O" 2>"$E"; RC=$?
check "9: an unknown key of a backup record is a warning, the build goes on" \
	sh -c '[ "$1" -eq 0 ] && grep -q "warning: unknown key \"operator\"" "$2"' _ "$RC" "$E"
check "9: the audit's scope lists it with its count" \
	grep -q 'Keys of backup records that drgen does not know were ignored: "operator" (1 record).' "$O/audit/2026-11.md"

# ---- 10: attestations ------------------------------------------------------------

mk att_name '.attestations[0].attester = "Helena Brandt"'
err_has "10: an attester who is not a contact is an error" 'error: unknown contact "Helena Brandt", did you mean "helena-brandt" (the contact named "Helena Brandt")'
mk att_stmt '.attestations[0] |= del(.statement)'
err_has "10: a statement is required" 'error: missing required key "statement" in attestation'
mk att_role '.attestations[0].role = "COO"'
err_has "10: the role comes from the contact" 'error: unknown key "role" in attestation'
mk att_old '(.attestations[] | select(.topic == "internal_audit")) |= (.date = "2015-03-01" | .expires = "2099-12-31")'
is "10: an internal audit of 2015 valid until 2099 does not pass ISO 22301 9.2" \
	"$(ctl iso22301 9.2)" \
	"attest${TAB}the attestation of internal_audit by Rebecca Okoro (Head of Internal Audit (independent of IT)) (2015-03-01) is older than 365 days, the most it may be (ISO 22301 9.2 (planned intervals, objective and impartial auditors); DORA Art. 11(3) (independent internal audit)), although it is marked valid until 2099-12-31"
mk att_ok '(.attestations[] | select(.topic == "internal_audit")) |= (.date = "2026-10-15" | .expires = "2027-10-15")'
is "10: a current internal audit by an independent auditor passes 9.2" \
	"$(ctl iso22301 9.2)" \
	"pass${TAB}internal_audit attested by Rebecca Okoro (Head of Internal Audit (independent of IT)) on 2026-10-15, valid until 2027-10-15"
mk att_time '(.attestations[] | select(.topic == "management_review")) |= (.date = "2026-03-24T16:45:00+01:00")'
is "10: an attestation signed at a time keeps it with its zone, in the control and its evidence" \
	"$(jq -r '[.controls[] | select(.framework == "iso22301" and .control == "9.3") | (.attestations[0] | .date, .time), (.evidence[] | select(.attestation == "management_review") | .time)] | join("|")' "$R")" \
	"2026-03-24|2026-03-24T16:45:00+01:00|2026-03-24T16:45:00+01:00"
check "10: the audit's attestation table gives the time as signed, with its offset" \
	grep -q '| 2026-03-24T16:45:00+01:00 | \*\*CURRENT\*\*' "$O/audit/2026-11.md"
mk att_day '.'
is "10: an attestation dated by its day has no time" \
	"$(jq -r '[.controls[] | select(.framework == "iso22301" and .control == "9.3") | .attestations[0] | has("time")] | join("|")' "$R")" \
	"false"
mk att_owner '(.attestations[] | select(.topic == "internal_audit")) |= (.date = "2026-10-15" | .expires = "2027-10-15" | .attester = "niamh-gallagher")'
is "10: an internal audit by the plan owner is refused" \
	"$(ctl iso22301 9.2)" \
	"attest${TAB}the attestation of internal_audit by Niamh Gallagher (Head of Site Reliability Engineering) is refused: it needs independence, and niamh-gallagher owns the plan"
is "10: ... and DORA 11(3) says the audit is outstanding" \
	"$(ctl dora 'Art. 11(3)' | cut -f1)" "partial"
mk att_svc '.attestations += [{"topic": "independent_tester", "statement": "Tested the recovery of the card platform.", "attester": "kwame-asante", "date": "2026-10-20"}]'
is "10: an independent tester who owns the services tested is refused (DORA 24(4))" \
	"$(ctl dora 'Art. 24(4)')" \
	"attest${TAB}the attestation of independent_tester by Kwame Asante (Payments Engineering Lead) is refused: it needs independence, and kwame-asante owns services card-authorization, fx-rates"
mk att_tester '.attestations += [{"topic": "independent_tester", "statement": "Tested the recovery of the card platform.", "attester": "rebecca-okoro", "date": "2026-10-20"}]'
is "10: an independent tester without an expiry passes while recent" \
	"$(ctl dora 'Art. 24(4)' | cut -f1)" "pass"

# ---- 11: exceptions --------------------------------------------------------------

mk ex_noid '.exceptions[0] |= del(.id)'
err_has "11: an exception needs an id" 'error: missing required key "id" in exception'
mk ex_dup '.exceptions[1].id = "EX-2026-01"'
err_has "11: exception ids are unique" 'error: duplicate exception id "EX-2026-01"'
mk ex_noappr '.exceptions[0] |= del(.approved_on)'
err_has "11: an exception needs approved_on" 'error: missing required key "approved_on" in exception'
mk ex_name '.exceptions[0].approved_by = "Inês Carvalho"'
err_has "11: the approver is a contact" 'error: unknown contact "Inês Carvalho", did you mean "ines-carvalho" (the contact named "Inês Carvalho")'
mk ex_owner '.exceptions[0].approved_by = "claire-whitford"'
err_has "11: the owner of the service cannot approve its exception" \
	'error: exception "EX-2026-01": approved by claire-whitford, who owns service benefits-claims; an exception is approved by someone other than the owner of what it waives'
mk ex_long '.exceptions[0].approved_on = "2026-01-15"'
err_has "11: at most 12 months from approval to expiry" \
	'error: exception "EX-2026-01": runs from 2026-01-15 to 2027-03-31, longer than the 12 months the rules allow (expires on 2027-01-15 at the latest)'
mk ex_profile '.exceptions[0].approved_on = "2026-01-15" | .compliance.profile.exception_max_months = 18'
check "11: the maximum duration is a profile setting" test "$RC" -eq 0
mk ex_nocontrol '.exceptions[0].control = "iso27001:A.8.41"'
err_has "11: a control that does not exist is an error with did you mean" \
	'error: exception "EX-2026-01": iso27001 has no control "A.8.41", did you mean "iso27001:A.8.14"'
mk ex_noprefix '.exceptions[0].control = "A.7.5"'
err_has "11: an unprefixed control id is an error" \
	'error: exception "EX-2026-01": control "A.7.5" does not name its framework; write framework:id (iso22301:7.5)'
mk ex_nofw '.exceptions[0].control = "iso2700:A.8.14"'
err_has "11: an unknown framework is an error with did you mean" \
	'error: exception "EX-2026-01": there is no framework "iso2700", did you mean "iso27001"'
mk ex_check '.exceptions[0].checks = ["redundant_regions"]'
err_has "11: a check the control does not use is an error" \
	'error: exception "EX-2026-01": iso27001 A.8.14 does not use the check "redundant_regions" (its checks: redundant_region_for_tier1)'
mk ex_scope '.exceptions += [{"id": "EX-T1", "control": "iso27001:A.8.13", "datastores": ["fraud-models"], "checks": ["backup_failures_remediated"], "justification": "Model bucket moves to the new account in Q1.", "approved_by": "dariusz-kowalczyk", "approved_on": "2026-10-01", "expires": "2027-03-31"}]'
check "11: an exception narrowed to a datastore and a check builds" test "$RC" -eq 0
is "11: the waived datastore leaves the check's reason; the rest still counts" \
	"$(jq -r '.controls[] | select(.framework == "iso27001" and .control == "A.8.13") | .checks[] | select(.check == "backup_failures_remediated") | "\(.status)\t\(.reason)"' "$R")" \
	"partial${TAB}warehouse: success rate 91.9 % is below 95 %; wiki-db: success rate 94.9 % is below 95 %"
is "11: the control stays failing, with the exception recorded" \
	"$(jq -r '.controls[] | select(.framework == "iso27001" and .control == "A.8.13") | [.status, (.exceptions | map(.id) | join(","))] | join(" ")' "$R")" \
	"fail EX-T1"
check "11: the reason names the exception, not the waived failure" jqe \
	'.controls[] | select(.framework == "iso27001" and .control == "A.8.13") | (.reason | test("datastores fraud-models; checks backup_failures_remediated waived by exception EX-T1 until 2027-03-31")) and (.reason | test("fraud-models: all 33 jobs failed") | not)' "$R"
check "11: other checks are not waived by it" jqe \
	'.controls[] | select(.framework == "iso27001" and .control == "A.8.13") | .checks | map(select(.check != "backup_failures_remediated") | .status) | all(. == "fail")' "$R"

mk ex_later '(.exceptions[] | select(.id == "EX-2026-04")).approved_on = "2026-12-15"'
check "11: an exception approved after as-of is not applied, and the reason says so" jqe \
	'.controls[] | select(.framework == "iso27001" and .control == "A.8.14") | .status == "partial" and (.exceptions | map(.id) == ["EX-2026-01"]) and .reason == "card-authorization (tier 1) depends on fx-rates, which runs in one region; settlement (tier 2) depends on fx-rates, which runs in one region; merchant-portal (tier 2) depends on fx-rates, which runs in one region; benefits-claims waived by exception EX-2026-01 until 2027-03-31; the exception EX-2026-04 for fx-rates is approved on 2026-12-15, after the as-of date, and is not applied"' "$R"

# ---- 12: HIPAA addressable specifications ----------------------------------------

D='164.308(a)(7)(ii)(D)'
mk hipaa_bare '.attestations += [{"topic": "addressable_rationale:164.308(a)(7)(ii)(D)", "statement": "x", "attester": "tom-hale", "date": "2026-10-01"}]'
is "12: a bare rationale does not turn failing data into a pass" \
	"$(ctl hipaa "$D" | cut -f1)" "fail"
check "12: ... and says why it is not applied" jqe \
	--arg c "$D" '.controls[] | select(.framework == "hipaa" and .control == $c) | .reason | endswith("; the documentation of 164.308(a)(7)(ii)(D) by Tom Hale (IT Operations Manager) declares no alternative measure, so it cannot stand in for the specification")' "$R"
mk hipaa_alt '.attestations += [{"topic": "addressable_rationale:164.308(a)(7)(ii)(D)", "statement": "Testing is replaced by vendor-run exercises.", "alternative_measure": "Quarterly vendor-run recovery exercises", "evidence": "https://wiki.example/vendor-exercises", "attester": "claire-whitford", "approved_by": "lucia-ferraro", "date": "2026-10-01"}]'
is "12: a full alternative measure still never outweighs failing data" \
	"$(ctl hipaa "$D" | cut -f1)" "fail"
check "12: ... the reason says so" jqe \
	--arg c "$D" '.controls[] | select(.framework == "hipaa" and .control == $c) | .reason | endswith("; the documented alternative measure does not outweigh failing data (alternative measure documented: Quarterly vendor-run recovery exercises (attested by Claire Whitford (Benefits Card Engineering Lead) on 2026-10-01, approved by the security official Lucia Ferraro))")' "$R"
mk hipaa_noofficial '(.attestations[] | select(.topic == "addressable_rationale:164.310(a)(2)(i)")).approved_by = "ines-carvalho"'
is "12: approved by someone other than the security official: not applied" \
	"$(ctl hipaa '164.310(a)(2)(i)')" \
	"attest${TAB}no attestation of facility_access_for_recovery on record; the alternative measure documented for 164.310(a)(2)(i) is not applied: it is approved by Inês Carvalho, not by the security official lucia-ferraro"
mk hipaa_nomeasure '(.attestations[] | select(.topic == "addressable_rationale:164.310(a)(2)(i)")) |= del(.alternative_measure)'
is "12: declared without an alternative measure: not applied" \
	"$(ctl hipaa '164.310(a)(2)(i)' | cut -f1)" "attest"
mk hipaa_noevidence '(.attestations[] | select(.topic == "addressable_rationale:164.310(a)(2)(i)")) |= del(.evidence)'
is "12: a documentation without evidence is not applied" \
	"$(ctl hipaa '164.310(a)(2)(i)')" \
	"attest${TAB}no attestation of facility_access_for_recovery on record; the alternative measure documented for 164.310(a)(2)(i) is not applied: it names no evidence"
mk hipaa_expired '(.attestations[] | select(.topic == "addressable_rationale:164.310(a)(2)(i)")).expires = "2026-11-01"'
is "12: an expired documentation is not applied" \
	"$(ctl hipaa '164.310(a)(2)(i)')" \
	"attest${TAB}no attestation of facility_access_for_recovery on record; the addressable-specification documentation is not applied: the attestation of addressable_rationale:164.310(a)(2)(i) by Claire Whitford (Benefits Card Engineering Lead) expired on 2026-11-01"

rm -rf "$TMP"
