#!/bin/sh
# check_subjects.sh -- results.json gives, per check of each control, the
# outcome of every subject it judged (issue 17.2): subject_counts add up
# to subjects_total and agree with the list; every subject is listed while
# a check judged at most check_subjects_max (200 by default), and past that
# only the non-passing ones, at most that many; services, datastores and
# contacts named are the plan's.  Run on the sample, then on a copy whose
# profile sets check_subjects_max to 3.
. "$DRGEN_ROOT/tests/lib/suite.sh"

SAMPLE="$DRGEN_ROOT/samples/kestrel"

if ! command -v python3 >/dev/null 2>&1; then
	skip "check_subjects: python3 not found"
	exit 0
fi

cp -R "$SAMPLE" "$TMP/small"
python3 - "$TMP/small/plan.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["compliance"]["profile"]["check_subjects_max"] = 3
json.dump(p, open(sys.argv[1], "w"), indent=2)
EOF

for case in sample:"$SAMPLE":200 limit3:"$TMP/small":3; do
	name=${case%%:*}; rest=${case#*:}; plan=${rest%:*}; max=${rest##*:}
	if ! "$DRGEN" build "$plan" -o "$TMP/$name" --period 2026-10 -q 2>"$TMP/$name.err"; then
		fail "$name: build"; sed 's/^/    /' "$TMP/$name.err" | head
		continue
	fi
	check "$name: each check lists the subjects it judged, up to $max, and counts them all" \
		python3 - "$TMP/$name/evidence/results.json" "$plan/plan.json" "$max" <<'EOF'
import collections, json, sys
res = json.load(open(sys.argv[1]))
plan = json.load(open(sys.argv[2]))
limit = int(sys.argv[3])
known = {
    "service": {s["id"] for s in plan["services"]},
    "datastore": {d["id"] for s in plan["services"] for d in s.get("datastores", [])},
    "contact": {c["id"] for c in plan.get("contacts", [])},
}
checks = [k for c in res["controls"] for k in c.get("checks", [])]
assert checks, "no checks"
full = cut = 0
for k in checks:
    where = (k["check"], k["status"])
    total, counts, subjects = k["subjects_total"], k["subject_counts"], k["subjects"]
    assert "pass" in counts and sum(counts.values()) == total, where
    assert len(subjects) <= limit, where
    listed = collections.Counter(s["status"] for s in subjects)
    if total <= limit:
        assert listed == collections.Counter({s: n for s, n in counts.items() if n}), where
        full += total > 0
    else:
        assert "pass" not in listed, where
        assert len(subjects) == min(limit, total - counts["pass"]), where
        cut += 1
    seen = [s["status"] != "pass" for s in subjects]
    assert seen == sorted(seen, reverse=True), ("not passing first", where)
    for s in subjects:
        assert s["id"] in known.get(s["type"], {s["id"]}), (s, where)
    # a check that passes lists nothing that did not pass (waivers aside)
    if k["status"] == "pass":
        assert set(listed) <= {"pass"}, where
assert full > 0, "no check listed its subjects"
if limit < 10:
    assert cut > 0, "no check went past the limit"
EOF
done
