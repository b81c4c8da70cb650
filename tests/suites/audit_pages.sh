#!/bin/sh
# audit_pages: a control whose findings and evidence are too many for the
# audit's control matrix (more than VIEWS_CONTROL_PAGE_ITEMS = 100 entries,
# src/views_int.h) lists them on a page of its own, audit/PERIOD/ANCHOR.html
# and .md; its row gives the counts and the link, and a reason longer than
# VIEWS_CONTROL_REASON_MAX (2000 bytes) becomes each check's outcome and
# counts (issue 16 item 8).  Checked on a generated plan of 300 services,
# where most controls have hundreds of entries, and on the sample, whose
# largest control has 66 and keeps every list in the report.
. "$DRGEN_ROOT/tests/lib/suite.sh"

GEN="$DRGEN_ROOT/build/gen_plan"
if [ ! -x "$GEN" ]; then
	skip "audit pages: build/gen_plan is not built (make build/gen_plan)"
	exit 0
fi
"$GEN" --services 300 --records 20000 --drills 300 --seed 11 -o "$TMP/plan" >/dev/null 2>&1
"$DRGEN" build "$TMP/plan" -o "$TMP/out" --period 2026-11 -q >"$TMP/build.out" 2>&1
check "a 300-service plan builds" test $? -eq 0

check "every long control has its page, every short one none, each list complete" \
	python3 - "$TMP/out" 2026-11 100 2000 <<'EOF'
import html, json, os, re, sys
out, period, page_items, reason_max = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
res = json.load(open(os.path.join(out, "evidence/results.json")))
audit = open(os.path.join(out, "audit", period + ".html"), encoding="utf-8").read()
rows = {}
for r in audit[audit.index('<h2 id="controls"'):audit.index('<h2 id="scope"')].split("<tr id=\"")[1:]:
    rows[r[:r.index('"')]] = r[:r.index("</tr>")]
ids = set(re.findall(r'id="([^"]+)"', audit))
paged = short = 0
for c in res["controls"]:
    anchor = c["anchor"]
    row = rows[anchor]
    n = len(c["evidence"]) + len(c.get("findings", []))
    page = os.path.join(out, "audit", period, anchor + ".html")
    md = os.path.join(out, "audit", period, anchor + ".md")
    if n <= page_items:
        short += 1
        assert not os.path.exists(page) and not os.path.exists(md), anchor
        assert row.count("<li>") >= len(c["evidence"]), anchor
        continue
    paged += 1
    href = "%s/%s.html" % (period, anchor)
    assert 'href="%s"' % href in row, (anchor, "no link to its page")
    assert "%d evidence items" % len(c["evidence"]) in row, anchor
    assert len(row) < 16384, (anchor, len(row), "row too long for the matrix")
    p = open(page, encoding="utf-8").read()
    fsec = p[p.index('<h2 id="findings">'):p.index('<h2 id="evidence">')]
    esec = p[p.index('<h2 id="evidence">'):]
    assert fsec.count("<li>") == len(c.get("findings", [])), (anchor, fsec.count("<li>"))
    assert esec.count("<li>") == len(c["evidence"]), (anchor, esec.count("<li>"))
    assert 'href="../%s.html#%s"' % (period, anchor) in p, (anchor, "no link back to its row")
    # the reason: whole on the page; in the row, whole or as check outcomes
    reason = html.escape(c["reason"], quote=False)
    assert reason[:300] in p, anchor
    if len(c["reason"]) > reason_max:
        assert reason[:300] not in row and "the control's own page" in row, anchor
        for k in c["checks"]:
            assert "of {:,} judged".format(k["subjects_total"]) in row, (anchor, k["check"])
    else:
        assert reason[:300] in row, anchor
    # every link resolves: files on disk, anchors of the audit among its ids
    for target in set(re.findall(r'href="([^"]+)"', p)):
        f, _, frag = target.partition("#")
        path = os.path.normpath(os.path.join(os.path.dirname(page), f)) if f else page
        assert os.path.exists(path), (anchor, target)
        if frag and path.endswith(os.path.join("audit", period + ".html")):
            assert frag in ids, (anchor, target)
    m = open(md, encoding="utf-8").read()
    assert "## Evidence (%d)" % len(c["evidence"]) in m, anchor
    assert m.count("\n- ") == len(c["evidence"]) + len(c.get("findings", [])), anchor
assert paged > 0 and short > 0, (paged, short)
print("    %d controls with a page, %d listed in the report" % (paged, short))
EOF
check "the manifest lists every control page" python3 - "$TMP/out" <<'EOF'
import json, os, sys
out = sys.argv[1]
listed = {o["path"] for o in json.load(open(os.path.join(out, "evidence/manifest.json")))["outputs"]}
pages = {os.path.join("audit", "2026-11", f) for f in os.listdir(os.path.join(out, "audit", "2026-11"))}
assert pages and pages <= listed, sorted(pages - listed)[:3]
EOF
"$DRGEN" verify "$TMP/out" >/dev/null 2>&1
check "drgen verify accepts the pack with its control pages" test $? -eq 0

"$DRGEN" build "$DRGEN_ROOT/samples/kestrel" -o "$TMP/sample" -q >/dev/null 2>&1
check "the sample (at most 66 entries a control) has no control page" \
	test ! -e "$TMP/sample/audit/2026-11"
exit 0
