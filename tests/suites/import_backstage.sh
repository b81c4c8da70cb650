# drgen import backstage (issue 15): the real catalog entities of
# tests/formats/backstage/ (copied from backstage/backstage, see
# tests/formats/README.md), as YAML files and as the catalog API's JSON,
# alone and merged with a hand-kept plan (tests/import_backstage/), give a
# plan that drgen check accepts; dangling references and renamed ids are
# reported; hostile YAML (syntax errors, alias bombs, deep nesting, wrong
# kinds) gives located errors and writes nothing.
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v jq >/dev/null || { skip "import backstage: jq not installed"; exit 0; }
FX="$DRGEN_ROOT/tests/formats/backstage"
HERE="$DRGEN_ROOT/tests/import_backstage"
jqe() { jq -e "$@" >/dev/null; }

# 1. The real entities alone.
mkdir -p "$TMP/a"
"$DRGEN" import backstage "$FX"/*.yaml -o "$TMP/a/plan.json" 2>"$TMP/a.err"
check "import backstage: the real YAML entities import (exit 0)" test $? -eq 0
check "import backstage: the fragment passes drgen check" \
	"$DRGEN" check "$TMP/a" -q
A="$TMP/a/plan.json"
check "import backstage: 5 Components are 5 services, in id order" \
	jqe '[.services[].id] == ["artist-lookup","artist-web","wayback-archive","wayback-archive-storage","www-artist"]' "$A"
check "import backstage: the shared Resource belongs to the component with its owner" \
	jqe '[.services[] | select(.datastores) | [.id, .datastores[0].id]] == [["artist-lookup","artists-db"]]' "$A"
check "import backstage: the other user of the Resource depends on its holder" \
	jqe '(.services[] | select(.id == "artist-web") | .depends_on) == ["artist-lookup"]' "$A"
check "import backstage: consumesApis is a dependency" \
	jqe '(.services[] | select(.id == "www-artist") | .depends_on) == ["artist-lookup"]' "$A"
check "import backstage: subcomponentOf: the parent depends on its part" \
	jqe '(.services[] | select(.id == "wayback-archive") | .depends_on) == ["wayback-archive-storage"]' "$A"
check "import backstage: the owner's name is kept as the team" \
	jqe '(.services[] | select(.id == "artist-web") | .team) == "artist-relations-team"' "$A"
check "import backstage: a dangling dependencyOf is reported at its line and column" \
	grep -q 'artist-web.descriptor-format-example.yaml:14:7: warning: dangling reference: spec.dependencyOf of component:default/artist-web names component:default/artist-web-lookup' "$TMP/a.err"
check "import backstage: owners with no Group are dangling references" \
	grep -q 'artist-lookup-component.yaml:37:10: warning: dangling reference: spec.owner of component:default/artist-lookup names group:default/team-a' "$TMP/a.err"
check "import backstage: counts at the end" \
	grep -q '7 files, 6 entities: 5 services, 1 datastore, 0 contacts; 1 ignored, 6 dangling references, 0 renamed' "$TMP/a.err"

# 2. The catalog API's JSON gives the same plan; the output is deterministic.
"$DRGEN" import backstage "$HERE/catalog-api.json" -q >"$TMP/api.json"
check "import backstage: the catalog API's JSON gives the same plan as the YAML" cmp -s "$A" "$TMP/api.json"
"$DRGEN" import backstage $(ls -r "$FX"/*.yaml) -q >"$TMP/rev.json"
check "import backstage: input order does not change the output" cmp -s "$A" "$TMP/rev.json"

# 3. Merged with a hand-kept plan.
mkdir -p "$TMP/m"
"$DRGEN" import backstage "$FX"/*.yaml "$HERE/org.yaml" --plan "$HERE/plan" -o "$TMP/m/plan.json" 2>"$TMP/m.err"
check "import backstage: merged with plan.json (exit 0)" test $? -eq 0
check "import backstage: the merged plan passes drgen check" "$DRGEN" check "$TMP/m" -q
check "import backstage: the merged plan builds its documents" \
	"$DRGEN" build "$TMP/m" -o "$TMP/m-out" --period 2026-10 -q
check "import backstage: the runbook of a catalog-only service is written" test -s "$TMP/m-out/runbooks/www-artist.html"
M="$TMP/m/plan.json"
check "import backstage: impact, tier, regions and name stay from plan.json" \
	jqe '(.services[] | select(.id == "artist-web")) as $s | $s.tier == 1 and $s.impact.revenue_loss_per_hour == 5000 and $s.regions == ["eu-west-1","eu-central-1"] and $s.name == "Artist website"' "$M"
check "import backstage: the hand plan's placement and criticality of a shared datastore stay" \
	jqe '(.services[] | select(.id == "artist-web") | .datastores) == [{"id":"artists-db","criticality":"critical","engine":"postgresql","size_gb":120}]' "$M"
check "import backstage: the catalog wins on topology (depends_on replaced, the other user depends on the holder)" \
	jqe '((.services[] | select(.id == "artist-web") | .depends_on) == null) and ((.services[] | select(.id == "artist-lookup") | .depends_on) == ["artist-web"])' "$M"
check "import backstage: the dropped hand dependency is reported" \
	grep -q 'note: service "artist-web": dependency on "billing" from plan.json dropped' "$TMP/m.err"
check "import backstage: a service not in the catalog is kept and reported" \
	sh -c "jq -e '[.services[].id] | index(\"billing\")' '$M' >/dev/null && grep -q 'service \"billing\" is not in the catalog' '$TMP/m.err'"
check "import backstage: Groups and Users are contacts; owner names the Group" \
	jqe '([.contacts[].id] == ["dr-lead","team-a","jdoe"]) and ((.services[] | select(.id == "www-artist") | .owner) == "team-a") and (.contacts[1].email == "team-a@example.com")' "$M"
check "import backstage: regions, organization and plan owner stay" \
	jqe '.organization.id == "artists-inc" and .plan.owner == "dr-lead" and (.regions | length) == 2' "$M"

# In place: -o the hand plan itself (written whole, then renamed over it).
cp -R "$HERE/plan" "$TMP/inplace"
"$DRGEN" import backstage "$FX"/*.yaml "$HERE/org.yaml" --plan "$TMP/inplace" -o "$TMP/inplace/plan.json" -q
check "import backstage: -o over the hand plan itself gives the merged plan" cmp -s "$M" "$TMP/inplace/plan.json"
check "import backstage: no temporary file is left behind" test ! -e "$TMP/inplace/plan.json.tmp"

# 4. Renames and cycles.
cat >"$TMP/r.yaml" <<'Y'
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: Payments_API.v2}
spec: {type: service, owner: team-a, dependsOn: [component:payments-api-v2]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-api-v2}
spec: {type: service, owner: team-a, dependsOn: ['component:Payments_API.v2']}
Y
mkdir -p "$TMP/r"
"$DRGEN" import backstage "$TMP/r.yaml" -o "$TMP/r/plan.json" 2>"$TMP/r.err"
check "import backstage: renames and a cycle still give a plan drgen check accepts" "$DRGEN" check "$TMP/r" -q
check "import backstage: an id that had to change is reported" \
	grep -q 'r.yaml:1:1: warning: renamed Component component:default/payments_api.v2 to service id "payments-api-v2-2"' "$TMP/r.err"
check "import backstage: a dependency closing a cycle is dropped and reported" \
	grep -q 'r.yaml:4:50: warning: dependency of "payments-api-v2-2" on "payments-api-v2" dropped: it would close a cycle' "$TMP/r.err"

# 5. Hostile input: located errors, exit 2, nothing written.
hostile() { # NAME EXPECTED-GREP (the file is $TMP/h.yaml)
	rm -f "$TMP/h.out"
	"$DRGEN" import backstage "$TMP/h.yaml" -o "$TMP/h.out" >/dev/null 2>"$TMP/h.err"
	rc=$?
	check "import backstage: $1: exit 2" test $rc -eq 2
	check "import backstage: $1: located error" grep -q "$2" "$TMP/h.err"
	check "import backstage: $1: nothing written" test ! -e "$TMP/h.out"
}
printf 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  tags: [a, b\nspec: {}\n' >"$TMP/h.yaml"
hostile "bad YAML" 'h.yaml:6:5: error: malformed YAML: did not find expected .,. or .]. while parsing a flow sequence (started at line 5, column 9)'
python3 - "$TMP/h.yaml" <<'PY' 2>/dev/null || awk 'BEGIN{print "x: &a0 [1,1,1,1,1,1,1,1,1]"; for(i=1;i<10;i++){s="";for(k=0;k<9;k++)s=s (k?",":"") "*a" (i-1); print "y" i ": &a" i " [" s "]"}}' >"$TMP/h.yaml"
import sys
l = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"]
for i in range(1, 10):
    l.append("a%d: &a%d [%s]" % (i, i, ",".join(["*a%d" % (i - 1)] * 9)))
open(sys.argv[1], "w").write("\n".join(l) + "\n")
PY
start=$(date +%s)
hostile "alias bomb" 'error: alias expansion too large: aliases would expand to more than 1000000 nodes'
check "import backstage: the alias bomb is refused at once" test $(( $(date +%s) - start )) -le 5
awk 'BEGIN{s="a: "; for(i=0;i<200;i++)s=s "["; for(i=0;i<200;i++)s=s "]"; print s}' >"$TMP/h.yaml"
hostile "deep nesting" 'h.yaml:1:67: error: nesting deeper than 64 levels'
printf 'a: *nowhere\n' >"$TMP/h.yaml"
hostile "undefined alias" 'h.yaml:1:4: error: alias \*nowhere names no complete anchor'
printf 'a: &r [*r]\n' >"$TMP/h.yaml"
hostile "recursive alias" 'h.yaml:1:8: error: alias \*r names no complete anchor'
printf -- '---\nkind: Banana\nmetadata: {name: x}\n---\n- a list\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {title: t}\n' >"$TMP/h.yaml"
hostile "wrong kinds" 'h.yaml:5:1: error: a catalog entity must be a mapping'
check "import backstage: wrong kinds: an unknown kind is a located warning" grep -q 'h.yaml:2:7: warning: unknown kind "Banana": not imported' "$TMP/h.err"
check "import backstage: wrong kinds: a Component without a name" grep -q 'h.yaml:9:11: error: Component without metadata.name' "$TMP/h.err"
printf 'kind: Component\nmetadata:\n  name: a\n  name: b\n' >"$TMP/h.yaml"
hostile "duplicate key" 'h.yaml:4:3: error: duplicate key "name" (first on line 3)'
printf '{"items": [{"kind": "Component", "metadata": {"name": "x"}},]}\n' >"$TMP/h.yaml"
hostile "bad JSON" 'h.yaml:1:61: error: malformed JSON: trailing comma'
head -c 17000000 /dev/zero | tr '\0' ' ' >"$TMP/h.yaml"
hostile "a file over 16 MiB" 'h.yaml: error:'
rm -rf "$TMP"
