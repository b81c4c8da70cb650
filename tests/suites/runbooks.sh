#!/bin/sh
# runbooks.sh -- runbooks an on-call engineer can follow (issue 14): steps
# derived from the service's facts, fence before promote, the team's prose
# first and replacing its generated namesakes, the time budget finding, the
# posture at a glance, and (with Chromium) a 200-character command printed
# whole to PDF.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

out=$TMP/rb
if ! "$DRGEN" build samples/kestrel -o "$out" --period 2026-10 -q 2>"$TMP/build.err"; then
	fail "sample builds"; sed 's/^/    /' "$TMP/build.err"; exit 0
fi
rb=$out/runbooks
res=$out/evidence/results.json

# recovery SECTION FILE: the lines of a Markdown runbook's recovery steps
recovery() { sed -n '/^## Recovery steps/,/^## Validation/p' "$1"; }

# A single-region service names no other region in its recovery steps.
check "fx-rates (one region, no datastores) recovers in place in eu-west-1" \
	sh -c "! sed -n '/^## Recovery steps/,/^## Validation/p' '$rb/fx-rates.md' | grep -q 'eu-central-1\|eu-north-1'"
check "fx-rates: recovery names its own region" grep -q 'Redeploy fx-rates in eu-west-1' "$rb/fx-rates.md"
# A stateless service has no backup, restore or promotion step.
check "fx-rates: no backup, restore or promotion step" \
	sh -c "! sed -n '/^## Pre-disaster/,/^## Contacts/p' '$rb/fx-rates.md' | grep -qi 'backup\|restore\|promot'"
check "api-gateway (stateless): no restore or promotion step" \
	sh -c "! sed -n '/^## Recovery steps/,/^## Validation/p' '$rb/api-gateway.md' | grep -qi 'restore\|promot'"

# Every promotion is preceded by a fence, unless the store fences on promotion.
fenced=yes
for f in "$rb"/*.md; do
	recovery "$f" | awk '
		/^[0-9]+\. \[ \] Fence the old primary of / { fence[$9] = 1 }
		/^[0-9]+\. \[ \] Promote the replica of / {
			if (!fence[$8] && $0 !~ /fences the old primary automatically/) { print FILENAME ": " $0; bad = 1 }
		}
		END { exit bad }' || fenced=no
done
check "every promotion is preceded by a fence" [ "$fenced" = yes ]
check "card-authorization: fence auth-db before promoting it" \
	sh -c "sed -n '/^## Recovery steps/,/^## Validation/p' '$rb/card-authorization.md' | grep -n 'auth-db' | head -1 | grep -q 'Fence'"

# benefits-claims: one region; its data puts it into eu-central-1; no promotion.
check "benefits-claims: restores claims-db into eu-central-1, where its copy is" \
	sh -c "sed -n '/^## Recovery steps/,/^## Validation/p' '$rb/benefits-claims.md' | grep -q 'Restore claims-db (postgresql) into eu-central-1'"
check "benefits-claims: no promotion and no automatic failover" \
	sh -c "! grep -qi 'promote the replica\|automatic failover)' '$rb/benefits-claims.md'"
check "benefits-claims: the tier's strategy is a finding, not a claim" \
	grep -q 'finding:\*\* tier 2 (essential) calls for active-passive multi-region' "$rb/benefits-claims.md"

# The team's procedure comes first; a prose section replaces its namesake.
first=$(grep '^## ' "$rb/benefits-claims.md" | sed -n '3p')
check "benefits-claims: the team's procedure (Service procedures) is the first section after the contents" \
	[ "$first" = "## Service procedures" ]
check "ledger: the prose 'Validation: checking the books' replaces the generated Validation" \
	sh -c "sed -n '/^## Validation/,/^## Rollback/p' '$rb/ledger.md' | grep -q 'ledgerctl reconcile' &&
	       ! sed -n '/^## Validation/,/^## Rollback/p' '$rb/ledger.md' | grep -q 'Smoke tests pass'"
check "HTML: a prose alert is a styled admonition" grep -q 'class="alert alert-warning"' "$rb/card-authorization.html"
check "Markdown: a prose alert is unchanged" grep -q '^> \[!WARNING\]' "$rb/card-authorization.md"
check "the first warning is repeated at a glance" \
	sh -c "sed -n '/^## At a glance/,/^## Contents/p' '$rb/card-authorization.md' | grep -q 'never promote'"
check "HTML: the prose headings have stable ids" \
	grep -q '<h3 id="before-you-touch-anything">' "$rb/card-authorization.html"

# The time budget against the RTO.
check "runbook_exceeds_rto for card-authorization in results.json" \
	sh -c "jq -e '[.findings[] | select(.kind == \"runbook_exceeds_rto\" and .subject == \"card-authorization\")] | length == 1' '$res' >/dev/null"
check "no runbook_exceeds_rto for fx-rates (17 minutes, RTO 4 hours)" \
	sh -c "jq -e '[.findings[] | select(.kind == \"runbook_exceeds_rto\" and .subject == \"fx-rates\")] | length == 0' '$res' >/dev/null"
check "the budget finding is in the runbook, the audit and the dashboard" \
	sh -c "grep -q 'the steps of card-authorization take' '$rb/card-authorization.html' &&
	       grep -q 'the steps of card-authorization take' '$out/audit/2026-10.html' &&
	       grep -q 'the steps of card-authorization take' '$out/index.html'"

# At a glance equals results.json: RTO, tier and each store's currency.
ok_glance=yes
for id in card-authorization ledger benefits-claims fx-rates; do
	rto=$(jq -r --arg s "$id" '.services[] | select(.id == $s) | .rto_minutes' "$res")
	tier=$(jq -r --arg s "$id" '.services[] | select(.id == $s) | .tier' "$res")
	glance=$(sed -n '/^## At a glance/,/^## Contents/p' "$rb/$id.md")
	echo "$glance" | grep -q "^- \*\*Tier:\*\* $tier " || { echo "    $id tier $tier"; ok_glance=no; }
	[ "$rto" = 0 ] || echo "$glance" | grep -q "RTO:\*\* " || ok_glance=no
	for ds in $(jq -r --arg s "$id" '.datastores[] | select(.service == $s) | .id' "$res"); do
		cur=$(jq -r --arg d "$ds" '.datastores[] | select(.id == $d) | .currency' "$res" | tr a-z A-Z)
		echo "$glance" | grep -q "^- $ds: \*\*$cur\*\*" || { echo "    $ds $cur"; ok_glance=no; }
	done
done
check "at-a-glance tier and datastore currency equal results.json" [ "$ok_glance" = yes ]

# A purpose-made plan: one region, a copy only there, a step that fits the RTO.
plan=$TMP/plan
mkdir -p "$plan/backups"
long="deployctl rollout solo-svc --region eu-west-1 --image registry.example/solo-svc@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef --wait --timeout 15m --annotate incident=INC-XXXX-long"
cat >"$plan/plan.json" <<JSON
{ "drgen": 1, "organization": { "id": "t", "name": "T" },
  "plan": { "version": "1", "owner": "o", "approved_by": "o", "approved_on": "2026-01-01", "last_review": "2026-01-01", "next_review": "2027-01-01" },
  "regions": [ { "id": "eu-west-1", "role": "primary" }, { "id": "eu-central-1", "role": "secondary" } ],
  "contacts": [ { "id": "o", "name": "Owner", "phone": "+1 555 0100", "last_verified": "2026-10-01" } ],
  "escalation": [ { "level": 1, "contact": "o", "after_minutes": 0 } ],
  "services": [
    { "id": "solo-svc", "name": "Solo", "owner": "o", "impact": { "revenue_loss_per_hour": 500 },
      "regions": ["eu-west-1"], "depends_on": [],
      "datastores": [ { "id": "solo-db", "engine": "postgresql", "criticality": "standard" } ],
      "procedure": { "deploy": { "commands": ["$long"], "minutes": 5 } },
      "health_checks": [ { "name": "h", "endpoint": "https://solo.example/h", "expected_status": 200 } ] },
    { "id": "slow-svc", "name": "Slow", "owner": "o", "impact": { "revenue_loss_per_hour": 500000 },
      "regions": ["eu-west-1", "eu-central-1"], "depends_on": [],
      "datastores": [ { "id": "slow-db", "engine": "postgresql", "criticality": "critical",
        "procedure": { "replica_regions": ["eu-central-1"], "promote": { "minutes": 30 } } } ] }
  ] }
JSON
cat >"$plan/backups/b.ndjson" <<'ND'
{"id":"solo-db-1","datastore":"solo-db","type":"snapshot","started":"2026-10-31T01:00:00Z","finished":"2026-10-31T01:10:00Z","status":"success","location":"primary","region":"eu-west-1"}
ND
if "$DRGEN" build "$plan" -o "$TMP/p" --period 2026-10 -q 2>"$TMP/p.err"; then
	ok "purpose-made plan builds"
	check "solo-svc (one region, copy only there) names no other region" \
		sh -c "! sed -n '/^## Recovery steps/,/^## Validation/p' '$TMP/p/runbooks/solo-svc.md' | grep -q 'eu-central-1'"
	check "solo-svc restores solo-db in place, naming its copy" \
		grep -q 'Restore solo-db (postgresql) in place in eu-west-1 from its newest good copy: primary copy in eu-west-1, record solo-db-1' "$TMP/p/runbooks/solo-svc.md"
	check "slow-svc: fence before the promotion of slow-db" \
		sh -c "grep -n 'slow-db' '$TMP/p/runbooks/slow-svc.md' | grep -A1 'Fence' | grep -q 'Promote'"
	check "budget finding when the steps exceed the RTO (slow-svc), not when they fit (solo-svc)" \
		sh -c "jq -e '[.findings[] | select(.kind == \"runbook_exceeds_rto\") | .subject] == [\"slow-svc\"]' '$TMP/p/evidence/results.json' >/dev/null"
	check "the 200-character command is in the runbook whole" grep -qF "$long" "$TMP/p/runbooks/solo-svc.html"
else
	fail "purpose-made plan builds"; sed 's/^/    /' "$TMP/p.err"
fi

# Print to PDF: the whole command survives (Chromium and pdftotext).
browser=""
for b in chromium chromium-browser; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ] || ! command -v pdftotext >/dev/null 2>&1 || [ ! -f "$TMP/p/runbooks/solo-svc.html" ]; then
	skip "print to PDF: chromium or pdftotext is not installed"
else
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$profile" --no-pdf-header-footer \
		--print-to-pdf="$TMP/solo.pdf" "file://$TMP/p/runbooks/solo-svc.html" >/dev/null 2>&1
	if [ -s "$TMP/solo.pdf" ]; then
		pdftotext "$TMP/solo.pdf" - | tr -d ' \n' >"$TMP/solo.txt"
		want=$(printf '%s' "$long" | tr -d ' \n')
		check "printed PDF holds the whole 200-character command" grep -qF -- "$want" "$TMP/solo.txt"
	else
		fail "chromium printed the runbook to PDF"
	fi
	rm -rf "$profile"
fi

# Text defects of the plan (issue 14 item 8): pass criteria as phrases
# made from the scoring thresholds; contacts not verified recently flagged,
# with the compliance profile's limit (a tighter limit flags more people).
check "plan: pass criteria read 'RPO achievement ≥ 98 %'" grep -q '^- RPO achievement ≥ 98 %$' "$out/plan.md"
check "plan: a contact not verified for 180 days is flagged (tom-hale)" \
	grep -q '^| Tom Hale |.*2025-08-19 \*\*NOT VERIFIED RECENTLY\*\* |$' "$out/plan.md"
check "plan: a contact verified 151 days ago is not (sean-doherty)" \
	sh -c "! grep -q '^| Seán Doherty |.*NOT VERIFIED' '$out/plan.md'"
cp -R samples/kestrel "$TMP/tight"
jq '.compliance.profile.contact_verification_max_age_days = 120' samples/kestrel/plan.json >"$TMP/tight/plan.json"
if "$DRGEN" build "$TMP/tight" -o "$TMP/tight-out" --period 2026-10 -q 2>"$TMP/tight.err"; then
	check "plan: with a 120-day limit sean-doherty is flagged too" \
		grep -q '^| Seán Doherty |.*NOT VERIFIED RECENTLY' "$TMP/tight-out/plan.md"
	check "plan: the flag and the finding agree" \
		test "$(jq '[.findings[] | select(.kind == "contact_unverified")] | length' "$TMP/tight-out/evidence/results.json")" \
		-eq "$(grep -c 'NOT VERIFIED RECENTLY' "$TMP/tight-out/plan.md")"
else
	fail "plan: the 120-day plan builds"; sed 's/^/    /' "$TMP/tight.err" | head -5
fi

# Overdue drill actions (issues[].services): an issue that names services
# is listed in those services' runbooks only; one that names none in the
# runbook of every service its drill included.
jqe() { jq -e "$@" >/dev/null; }
check "runbook heading reads 'Overdue drill actions for this service'" \
	sh -c "grep -q '^Overdue drill actions for this service:\$' '$rb/ledger.md' &&
	       grep -q '<h3>Overdue drill actions for this service</h3>' '$rb/ledger.html'"
check "DR-131 (names ledger) is in the ledger runbook" \
	sh -c "grep -q '^- \*\*HIGH\*\* DR-131 (dr-2026-04-full-simulation): Ledger replica promotion' '$rb/ledger.md' &&
	       grep -q 'DR-131' '$rb/ledger.html'"
check "DR-131 (names ledger) is not in the api-gateway runbook, though its drill included api-gateway" \
	sh -c "jq -e '.drills[] | select(.id == \"dr-2026-04-full-simulation\") | .scope.services | index(\"api-gateway\")' '$res' >/dev/null &&
	       ! grep -q 'DR-131' '$rb/api-gateway.md' && ! grep -q 'DR-131' '$rb/api-gateway.html'"
scope171=$(jq -r '.drills[] | select(any(.issues[]; .id == "DR-171")) | .scope.services[]' "$res")
missing171=""
for s in $scope171; do
	grep -q '^- \*\*HIGH\*\* DR-171 ' "$rb/$s.md" || missing171="$missing171 $s"
done
check "DR-171 (names no service) is in the runbook of every service its drill included ($(echo $scope171))" \
	[ -n "$scope171" -a -z "$missing171" ]
check "DR-171 is not in the runbook of a service its drill did not include (ledger)" \
	sh -c "! grep -q 'DR-171' '$rb/ledger.md'"
check "results.json keeps issues[].services (DR-131: [\"ledger\"], DR-183: two services)" \
	jqe '[.drills[].issues[] | select(.id == "DR-131" or .id == "DR-183") | .services]
	     == [["ledger"], ["event-streaming", "data-warehouse"]]' "$res"
check "results.json writes no services for an issue that names none (DR-171)" \
	jqe '[.drills[].issues[] | select(.id == "DR-171") | has("services")] == [false]' "$res"

# An unknown service in an issue is a located error, with a suggestion.
cp -R samples/kestrel "$TMP/badsvc"
sed 's/"services": \["ledger"\]/"services": ["idenity"]/' samples/kestrel/drills/2026-h1-programme.json \
	>"$TMP/badsvc/drills/2026-h1-programme.json"
line=$(grep -n '"idenity"' "$TMP/badsvc/drills/2026-h1-programme.json" | cut -d: -f1)
"$DRGEN" check "$TMP/badsvc" >"$TMP/badsvc.out" 2>&1
rc=$?
check "drgen check: an issue naming an unknown service exits 2" [ "$rc" -eq 2 ]
check "drgen check: the message names the file, line and column, with a suggestion" \
	grep -q "^$TMP/badsvc/drills/2026-h1-programme.json:$line:22: error: unknown service \"idenity\", did you mean \"identity\"\$" "$TMP/badsvc.out"
check "drgen check: the message gives the JSON pointer of the issue's service" \
	grep -q '= at /1/issues/0/services/0$' "$TMP/badsvc.out"
