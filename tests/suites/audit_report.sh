# The audit report as an auditor reads it (docs/audit.md), on the sample
# built for September and then October (compared with September): every
# control and finding anchor exists and every cross-link resolves, in HTML
# and Markdown; no document says "and N more"; a reason names each failing
# subject once; finding ids, anchors and
# "open since" persist from period to period; HTML and Markdown agree on
# every control's status, reason and "Ask for" hint; every amount shows the
# plan's currency; the due-date policy's boundary (due on the day, overdue
# a second later); management responses are checked and shown.
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v python3 >/dev/null || { skip "audit report: python3 not installed"; exit 0; }
SAMPLE=$DRGEN_ROOT/samples/kestrel

"$DRGEN" build "$SAMPLE" -o "$TMP/sep" --period 2026-09 -q 2>"$TMP/err"
check "the sample builds for 2026-09" test $? -eq 0
"$DRGEN" build "$SAMPLE" -o "$TMP/oct" --period 2026-10 --previous "$TMP/sep" -q 2>"$TMP/err"
check "the sample builds for 2026-10 against 2026-09" test $? -eq 0
"$DRGEN" build "$SAMPLE" -o "$TMP/nov" --period 2026-11 --previous "$TMP/oct" --format json -q 2>"$TMP/err"
check "the sample builds for 2026-11 against 2026-10" test $? -eq 0

cat >"$TMP/audit.py" <<'PY'
import html, json, os, re, sys

what, *args = sys.argv[1:]

def results(d):
    return json.load(open(os.path.join(d, "evidence", "results.json"), encoding="utf-8"))

def read(p):
    return open(p, encoding="utf-8").read()

def fail(msg):
    print("    " + msg)
    sys.exit(1)

if what == "anchors":          # DIR: anchors exist, links resolve, both ways
    d = args[0]
    r = results(d)
    h = read(os.path.join(d, "audit", r["period"] + ".html"))
    m = read(os.path.join(d, "audit", r["period"] + ".md"))
    hid = re.findall(r'\bid="([^"]+)"', h)
    mid = re.findall(r'<a id="([^"]+)"></a>', m)
    for name, ids in (("HTML", hid), ("Markdown", mid)):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            fail("%s: anchors used twice: %s" % (name, dup[:5]))
    want = [c["anchor"] for c in r["controls"]] + [f["anchor"] for f in r["findings"]]
    if len(set(want)) != len(want):
        fail("results.json: anchors not unique")
    for a in want:
        if not re.fullmatch(r"[a-z0-9.-]+", a):
            fail("anchor %r has other characters than [a-z0-9.-]" % a)
        if a not in hid:
            fail("HTML: no element with id %r" % a)
        if a not in mid:
            fail("Markdown: no anchor %r" % a)
    for c in r["controls"]:
        fw, ctl = c["framework"], c["control"]
        exp = re.sub(r"[^a-z0-9.]+", "-", (fw + "-" + ctl).lower())
        exp = re.sub(r"\.-", "-", exp).strip(".-")
        if c["anchor"] != exp:
            fail("control %s %s: anchor %r, documented form %r" % (fw, ctl, c["anchor"], exp))
    hl = re.findall(r'href="#([^"]*)"', h)
    ml = re.findall(r'\]\(#([^)]*)\)', m)
    for name, links, ids in (("HTML", hl, set(hid)), ("Markdown", ml, set(mid) | set())):
        bad = sorted({l for l in links if l not in ids})
        if bad:
            fail("%s: links to no anchor: %s" % (name, bad[:5]))
    if len(hl) < len(want) or len(ml) < len(want):
        fail("fewer in-page links than anchors (HTML %d, Markdown %d)" % (len(hl), len(ml)))
    # cross-links agree both ways, in results.json and in the page
    byid = {f["id"]: f for f in r["findings"]}
    ctl = {c["framework"] + ":" + c["control"]: c for c in r["controls"]}
    linked = 0
    for f in r["findings"]:
        for k in f["controls"]:
            if f["id"] not in ctl[k]["findings"]:
                fail("finding %s names control %s, which does not name it" % (f["id"], k))
            linked += 1
    for c in r["controls"]:
        for i in c["findings"]:
            if c["framework"] + ":" + c["control"] not in byid[i]["controls"]:
                fail("control %s names finding %s, which does not name it" % (c["anchor"], i))
        row = re.search(r'<tr id="%s">(.*?)</tr>' % re.escape(c["anchor"]), h, re.S)
        if not row:
            fail("HTML: no row for control %s" % c["anchor"])
        for i in c["findings"]:
            if 'href="#%s"' % byid[i]["anchor"] not in row.group(1):
                fail("HTML: control %s does not link to finding %s" % (c["anchor"], i))
    for f in r["findings"]:
        art = re.search(r'<article[^>]*id="%s">(.*?)</article>' % re.escape(f["anchor"]), h, re.S)
        if not art:
            fail("HTML: no article for finding %s" % f["id"])
        for k in f["controls"]:
            if 'href="#%s"' % ctl[k]["anchor"] not in art.group(1):
                fail("HTML: finding %s does not link to control %s" % (f["id"], k))
    if linked < 20:
        fail("only %d finding-control links on the sample" % linked)
    print("    %d anchors, %d HTML and %d Markdown links, %d cross-links" % (len(want), len(hl), len(ml), linked))

elif what == "stable":         # OLD NEW: ids and anchors persist
    a, b = results(args[0]), results(args[1])
    fa = {f["id"]: f for f in a["findings"]}
    key = lambda f: (f["kind"], f["subject"], f.get("ref"))
    ka = {key(f): f["id"] for f in a["findings"]}
    both = 0
    for f in b["findings"]:
        k = key(f)
        if k in ka and ka[k] != f["id"]:
            fail("%s: id %s, was %s" % (k, f["id"], ka[k]))
        if f["id"] in fa:
            both += 1
            if fa[f["id"]]["anchor"] != f["anchor"]:
                fail("%s: anchor changed" % f["id"])
            since = fa[f["id"]]["open_since"] or a["period"]
            if f["status"] != "open" or f["open_since"] != since:
                fail("%s: status %s since %s, want open since %s" % (f["id"], f["status"], f["open_since"], since))
            if f["first_reported"] != (fa[f["id"]]["first_reported"]):
                fail("%s: first reported %s, was %s" % (f["id"], f["first_reported"], fa[f["id"]]["first_reported"]))
        elif f["status"] != "new" or f["open_since"] != b["period"]:
            fail("%s: not in %s but %s since %s" % (f["id"], a["period"], f["status"], f["open_since"]))
    if both < 10:
        fail("only %d findings in both periods" % both)
    print("    %d findings in both %s and %s" % (both, a["period"], b["period"]))

elif what == "parity":         # DIR: control status, reason and hint agree
    d = args[0]
    r = results(d)
    h = read(os.path.join(d, "audit", r["period"] + ".html"))
    m = read(os.path.join(d, "audit", r["period"] + ".md"))
    def md_text(s):
        s = re.sub(r"\\([\\`*_\[\]|~#])", r"\1", s)
        return html.unescape(s).strip()
    def html_text(s):
        return html.unescape(re.sub(r"<[^>]+>", "", s)).strip()
    n = hints = 0
    for c in r["controls"]:
        a = c["anchor"]
        hr = re.search(r'<tr id="%s"><th[^>]*>.*?</th><td>.*?</td><td><span class="pill [^"]*">([^<]*)</span></td><td>(.*?)</td>' % re.escape(a), h, re.S)
        mr = re.search(r'^\| <a id="%s"></a>.*?\| .*? \| \*\*(.*?)\*\* \| (.*?) \| .*? \| .*? \|$' % re.escape(a), m, re.M)
        if not hr or not mr:
            fail("control %s: row not found in %s" % (a, "HTML" if not hr else "Markdown"))
        hs, hreason = html_text(hr.group(1)), hr.group(2)
        ms, mreason = md_text(mr.group(1)), mr.group(2)
        hask = hmain = None
        hmain, _, hask = hreason.partition('<br><span class="note">Ask for: ')
        mmain, _, mask = mreason.partition("<br>*Ask for:* ")
        hmain, mmain = html_text(hmain), md_text(mmain)
        hask, mask = html_text(hask.replace("</span>", "")), md_text(mask)
        label = {"alternative": "ALTERNATIVE MEASURE DOCUMENTED"}.get(c["status"], c["status"].upper())
        if hs != ms or hs != label:
            fail("control %s: status HTML %r, Markdown %r" % (a, hs, ms))
        if hmain != mmain or hmain != c["reason"].strip():
            fail("control %s: reason differs\n      HTML %r\n      Markdown %r" % (a, hmain[:200], mmain[:200]))
        if hask != mask or hask != (c.get("ask") or ""):
            fail("control %s: hint differs: HTML %r, Markdown %r" % (a, hask, mask))
        n += 1
        hints += bool(hask)
    if h.count("Ask for:") != m.count("Ask for:"):
        fail("'Ask for' %d times in HTML, %d in Markdown" % (h.count("Ask for:"), m.count("Ask for:")))
    print("    %d controls, %d hints alike" % (n, hints))

elif what == "currency":       # DIR CODE: every amount shows the currency
    d, cur = args
    r = results(d)
    if r["organization"].get("currency") != cur:
        fail("results.json organization.currency is %r" % r["organization"].get("currency"))
    bad = []
    for name in ("plan.html", "plan.md"):
        t = read(os.path.join(d, name))
        sec = t[t.index("Estimated DR cost"):]
        sec = sec[:sec.index("Contacts and escalation")] if "Contacts and escalation" in sec else sec
        amounts = re.findall(r'(?:class="num">|\| )([0-9][0-9,]*(?:\.[0-9]+)?)( [A-Z]{3})?(?=</td>| \|)', sec)
        money = [a for a in amounts if "," in a[0] or a[1]]
        bad += [name + ": " + a[0] for a in money if a[1] != " " + cur]
        if len([a for a in money if a[1]]) < 20:
            bad.append(name + ": fewer than 20 amounts with a currency in the cost tables")
        rev = re.findall(r"revenue loss of ([0-9][0-9,]*)( [A-Z]{3})? per hour", t)
        if not rev:
            bad.append(name + ": no tier reason names a revenue loss")
        bad += [name + ": revenue " + x[0] for x in rev if x[1] != " " + cur]
    if bad:
        fail("; ".join(bad[:6]))
    print("    every amount of the plan's cost tables and tier reasons in %s" % cur)

elif what == "once":           # DIR: a reason names each failing subject once
    r = results(args[0])
    ids = {s["id"] for s in r["services"]} | {d["id"] for d in r["datastores"]}
    grouped = 0
    for c in r["controls"]:
        lead = [re.match(r"[a-z0-9._-]+", p.strip()) for p in c["reason"].split("; ")]
        lead = [m.group(0) for m in lead if m and m.group(0) in ids]
        dup = sorted({x for x in lead if lead.count(x) > 1})
        if dup:
            fail("control %s names %s more than once: %s" % (c["anchor"], dup, c["reason"][:300]))
        grouped += " — " in c["reason"]
    if grouped < 5:
        fail("only %d reasons put several checks' facts about one subject together" % grouped)
    print("    %d reasons group facts by subject" % grouped)

elif what == "overdue":        # DIR ID WANT
    d, fid, want = args
    f = [x for x in results(d)["findings"] if x["id"] == fid]
    if not f:
        fail("no finding %s" % fid)
    got = "true" if f[0]["overdue"] else "false"
    if got != want:
        fail("%s: overdue %s (due %s, as of %s), want %s" % (fid, got, f[0]["due"], results(d)["as_of"], want))
PY
A="python3 $TMP/audit.py"

check "every control and finding anchor exists and every cross-link resolves (2026-10)" $A anchors "$TMP/oct"

# An overdue action says which services it concerns when its drill file
# names them (DR-131: the ledger), and says nothing when it names none.
check "overdue actions: DR-131 concerns the ledger" python3 - "$TMP/oct/audit/2026-10.html" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
sec = html[html.index('<h2 id="actions">'):]
sec = sec[:sec.index("</section>")]
rows = {re.search(r"<code>([^<]*)</code>", r).group(1): r for r in sec.split("<tr>")[2:]}
assert "<small>Concerns ledger</small>" in rows["DR-131"], rows["DR-131"]
assert "Concerns" not in rows["DR-171"], rows["DR-171"]
EOF
check "every control and finding anchor exists and every cross-link resolves (2026-09)" $A anchors "$TMP/sep"
more=$(grep -rlE '\band [0-9,]+ more\b' "$TMP/sep" "$TMP/oct" "$TMP/nov" || true)
check "no document says \"and N more\"${more:+ ($more)}" [ -z "$more" ]
more=$(grep -rnE 'and %[a-z]* more|and \{\{[a-z_]+\}\} more' "$DRGEN_ROOT/templates" "$DRGEN_ROOT/lua" "$DRGEN_ROOT/src" || true)
check "no template, rule or source writes \"and N more\"${more:+ ($more)}" [ -z "$more" ]
check "finding ids, anchors and first reports persist from 2026-09 to 2026-10" $A stable "$TMP/sep" "$TMP/oct"
check "open since is carried from report to report (2026-10 to 2026-11)" $A stable "$TMP/oct" "$TMP/nov"
check "HTML and Markdown agree on every control's status, reason and hint" $A parity "$TMP/oct"
check "a control's reason names every failing subject once" $A once "$TMP/oct"
check "every amount shows the plan's currency" $A currency "$TMP/oct" EUR
check "the audit's first screen leads with the executive summary" sh -c '
	f=$1/audit/2026-10.html
	s=$(grep -n "id=\"summary\"" "$f" | head -1 | cut -d: -f1)
	fi=$(grep -n "id=\"findings\"" "$f" | head -1 | cut -d: -f1)
	c=$(grep -n "id=\"controls\"" "$f" | head -1 | cut -d: -f1)
	[ -n "$s" ] && [ "$s" -lt "$fi" ] && [ "$fi" -lt "$c" ] &&
	[ "$(grep -c "class=\"conclusion\"" "$f")" -eq 7 ]' sh "$TMP/oct"
check "the summary says what changed since 2026-09" grep -q 'Since the report for 2026-09' "$TMP/oct/audit/2026-10.html"
check "a resolved finding is listed as resolved since the previous period" \
	grep -q 'RESOLVED since 2026-09' "$TMP/oct/audit/2026-10.html" "$TMP/oct/audit/2026-10.md"
check "long evidence lists collapse on screen and print in full" sh -c '
	f=$1/audit/2026-10.html
	[ "$(grep -c "<details class=\"evidence\">" "$f")" -gt 0 ] &&
	grep -q "details.evidence::details-content { content-visibility: visible; display: block; }" "$f"' sh "$TMP/oct"
# Printed (headless Chromium, when installed), a collapsed list is there in full.
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ] && command -v pdftotext >/dev/null; then
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--print-to-pdf="$TMP/audit.pdf" "file://$TMP/oct/audit/2026-10.html" >/dev/null 2>&1
	pdftotext "$TMP/audit.pdf" "$TMP/audit.txt" 2>/dev/null
	check "printed, every evidence item of a collapsed list is on paper" python3 - "$TMP/oct" "$TMP/audit.txt" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1] + "/evidence/results.json", encoding="utf-8"))
squash = lambda t: re.sub(r"[\s-]+", "", t)   # lines break at hyphens, which pdftotext drops
text = squash(open(sys.argv[2], encoding="utf-8").read())
c = max(r["controls"], key=lambda c: len(c["evidence"]))
assert len(c["evidence"]) > 3, c["anchor"]
for e in c["evidence"]:
    v = e if isinstance(e, str) else str(list(e.values())[-1])
    if squash(v) not in text:
        sys.exit("not printed: %r (control %s)" % (v, c["anchor"]))
PY
else
	skip "printed evidence lists: chromium or pdftotext not installed"
fi

# Management responses (the sample has three) are shown with their owner.
check "a management response is shown with its owner and target date" \
	grep -q 'CHG-4471. <span class="note">(owner Inês Carvalho, target 2026-11-30)' "$TMP/oct/audit/2026-10.html"
check "an accepted risk links to its exception" \
	grep -q 'Risk accepted under exception <a href="#exception-ex-2026-01">EX-2026-01</a>' "$TMP/oct/audit/2026-10.html"

# Due dates (lua/findings.lua): single_region/benefits-claims (high, 30
# days) was first reported by the 2026-09 report, as of 2026-10-01 00:00Z:
# due 2026-10-31 00:00Z, not overdue at that time, overdue one second later.
"$DRGEN" build "$SAMPLE" -o "$TMP/due0" --period 2026-10 --as-of 2026-10-31T00:00:00Z \
	--previous "$TMP/sep" --format json -q 2>"$TMP/err"
check "a build as of the due time" test $? -eq 0
check "not overdue at its due time" $A overdue "$TMP/due0" single_region/benefits-claims false
"$DRGEN" build "$SAMPLE" -o "$TMP/due1" --period 2026-10 --as-of 2026-10-31T00:00:01Z \
	--previous "$TMP/sep" --format json -q 2>"$TMP/err"
check "a build one second later" test $? -eq 0
check "overdue one second after its due time" $A overdue "$TMP/due1" single_region/benefits-claims true

# Bad plans: an unknown currency, a risk accepted without an exception, an
# exception that does not exist; each exits 2 naming the place.
bad_plan() {  # bad_plan NAME PYTHON-STATEMENT (on d) EXPECTED-MESSAGE [POINTER]
	rm -rf "$TMP/bad" && cp -R "$SAMPLE" "$TMP/bad"
	python3 - "$TMP/bad/plan.json" "$2" <<'PY'
import json, sys
p, stmt = sys.argv[1], sys.argv[2]
d = json.load(open(p, encoding="utf-8"))
exec(stmt)
json.dump(d, open(p, "w", encoding="utf-8"), indent=2)
PY
	"$DRGEN" check "$TMP/bad" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && grep -qF "$3" "$TMP/out" && { [ -z "${4:-}" ] || grep -qF "= at $4" "$TMP/out"; }; then
		ok "$1"
	else
		fail "$1 (exit $rc)"; grep -v "backups: " "$TMP/out" | sed 's/^/    /' | head -6
	fi
}
bad_plan "an unknown currency is refused" 'd["organization"]["currency"] = "EURO"' \
	'unknown currency "EURO"' /organization/currency
bad_plan "a lowercase currency is refused" 'd["organization"]["currency"] = "eur"' 'unknown currency "eur"'
bad_plan "accepting a risk needs an exception" \
	'del d["management_responses"]["single_region/benefits-claims"]["exception"]' \
	'a response that accepts the risk must name' /management_responses/single_region~1benefits-claims/accepts_risk
bad_plan "a response naming an unknown exception is refused" \
	'd["management_responses"]["single_region/benefits-claims"]["exception"] = "EX-9"' \
	'unknown exception "EX-9"' /management_responses/single_region~1benefits-claims/exception
bad_plan "a response owner must be a contact" \
	'd["management_responses"]["no_offsite_copy/keyvault-db"]["owner"] = "nobody"' \
	'unknown contact "nobody"'
exit 0
