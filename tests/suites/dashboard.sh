#!/bin/sh
# dashboard.sh -- the dashboard of issue 18, end to end, on the sample and on
# tests/dashboard/near-targets (values a minute either side of the targets,
# a datastore never backed up, a drill that beat its RTO but failed):
#   - chart text boxes never overlap each other, a target line or a bar, and
#     stay inside the chart (tests/tools/svg_layout.py, from the SVG's own
#     coordinates and font sizes), and the checker itself catches an overlap;
#   - a datastore never backed up is a full-width hatched bar;
#   - a failed drill result says why on its bar;
#   - compliance chart rows carry the framework names of the tables;
#   - the evidence page lists every file of the pack with the manifest's size
#     and SHA-256, says whether the pack is signed and how to check it;
#   - KPI cards show the change since --previous;
#   - the services table has a "meets RTO/RPO" verdict per service;
# and, in headless Chromium (skipped when it is absent): no link or control
# smaller than 24 x 24 px, chart text that really does not overlap nor leave
# the screen at 390 px and 1280 px, no sideways scroll at 390 px, the filter
# and the sort working with CSS alone (the pages have no script).  Screenshots at
# 390 px are kept in $DRGEN_SCREENSHOTS when that is set.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

near=tests/dashboard/near-targets
prev=$TMP/prev out=$TMP/out nout=$TMP/near
build() {
	if ! "$DRGEN" build "$@" -q 2>"$TMP/build.err"; then
		fail "drgen build $*"; sed 's/^/    /' "$TMP/build.err"; exit 0
	fi
}
build samples/kestrel -o "$prev" --period 2026-09
build samples/kestrel -o "$out" --period 2026-10 --previous "$prev"
build "$near" -o "$nout" --period 2026-10
ok "the sample (with --previous) and the near-targets plan build"

# ---- charts, from the SVG alone ------------------------------------------
check "chart text boxes do not overlap (sample dashboard and audit, near-targets)" \
	python3 tests/tools/svg_layout.py "$out/index.html" "$out/audit/2026-10.html" "$nout/index.html"
cat >"$TMP/bad.html" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 300 40" aria-labelledby="x-title">
<line class="target" x1="60" x2="60" y1="0" y2="30"/>
<text x="4" y="16" font-size="12">20 h 27 min (ok)</text></svg>
EOF
python3 tests/tools/svg_layout.py "$TMP/bad.html" >"$TMP/bad.out" 2>&1
check "the layout checker catches a label across a target line" grep -q "overlaps a target line" "$TMP/bad.out"

# chart_facts PAGE CHART: one line per bar of both variants: classes|label|value|rect width|plot width
chart_facts() {
	python3 - "$1" "$2" <<'PY'
import re, sys, xml.etree.ElementTree as ET
NS = "{http://www.w3.org/2000/svg}"
page, chart = sys.argv[1], sys.argv[2]
for m in re.finditer(r"<svg\b.*?</svg>", open(page, encoding="utf-8").read(), re.S):
    svg = ET.fromstring(m.group(0))
    ids = svg.get("aria-labelledby", "")
    if not (ids.startswith(chart + "-title") or ids.startswith(chart + "-n-title")):
        continue
    width = float(svg.get("viewBox").split()[2])
    for g in svg.iter(NS + "g"):
        texts = {t.get("class"): "".join(t.itertext()) for t in g.iter(NS + "text")}
        rects = [r for r in g.iter(NS + "rect")]
        hatch = any("hatch" in (e.get("class") or "") for e in g.iter())
        w = float(rects[0].get("width")) if rects else -1
        print("%s|%s|%s|%.1f|%.1f|%s" % (g.get("class"), texts.get("label", ""), texts.get("value", ""),
                                        w, width - 8, "hatched" if hatch else ""))
PY
}

chart_facts "$nout/index.html" chart-backups >"$TMP/near-backups"
chart_facts "$out/index.html" chart-backups >"$TMP/sample-backups"
# never_bar FILE STORE: the store's bar is full width and striped in both variants
never_bar() {
	awk -F'|' -v s="$2" '$2 == s && $1 ~ /st-never/ && $1 ~ /missing/ && $4 == $5 && $6 == "hatched" \
		&& $3 == "never backed up" { n++ } END { exit n == 2 ? 0 : 1 }' "$1"
}
check "near-targets: beta-archive (never backed up) is a full-width striped bar" never_bar "$TMP/near-backups" beta-archive
check "sample: fraud-models (never backed up) is a full-width striped bar" never_bar "$TMP/sample-backups" fraud-models
check "a store with backups is not drawn as missing" \
	sh -c "! grep '^[^|]*missing[^|]*|beta-db|' '$TMP/near-backups'"

chart_facts "$nout/index.html" chart-drills >"$TMP/near-drills"
check "a drill result that beat its RTO but failed says why (integrity, availability)" \
	grep -q '^bar st-fail|alpha-order-processing-service 2026-10-15|.*(fail: integrity, availability)' "$TMP/near-drills"
check "a result just over its RTO pass threshold says RTO" \
	grep -q '^bar st-fail|beta 2026-10-15|.*(fail: RTO, availability)' "$TMP/near-drills"

# ---- compliance names ------------------------------------------------------
python3 - "$out/index.html" >"$TMP/fw" <<'PY'
import re, sys, html
page = open(sys.argv[1], encoding="utf-8").read()
sec = page[page.index('<h2 id="compliance">'):page.index('<h2 id="runbooks">')]
chart = re.search(r'aria-labelledby="chart-compliance-title.*?</svg>', sec, re.S).group(0)
labels = [html.unescape(x) for x in re.findall(r'class="label">([^<]*)</text>', chart)]
table = [html.unescape(x) for x in re.findall(r'<tr><th scope="row">([^<]*)', sec)]
print("chart:", labels)
print("table:", table)
sys.exit(0 if labels and labels == table else 1)
PY
check "compliance chart rows are named as the table names the frameworks" [ $? -eq 0 ]
check "no framework id is a chart label" sh -c "! grep -Eq 'class=\"label\">(iso22301|nist80053|soc2|dora)<' '$out/index.html'"

# ---- KPI deltas ------------------------------------------------------------
check "with --previous, each of the four KPI cards shows its change" \
	[ "$(grep -o '<p class="delta delta-[a-z]*">[^<]* since 2026-09' "$out/index.html" | wc -l)" -eq 4 ]
want=$(python3 -c "
import json, sys
a = json.load(open('$prev/evidence/results.json')); b = json.load(open('$out/evidence/results.json'))
d = len(b['findings']) - len(a['findings'])
print('no change' if d == 0 else ('+%d' % d if d > 0 else '\u2212%d' % -d))")
check "the findings card's change is the difference of the two results ($want)" \
	grep -q "<p class=\"value\">[0-9]*</p><p class=\"sub\">[^<]*</p><p class=\"delta delta-[a-z]*\">$want since 2026-09" "$out/index.html"
check "without --previous no card shows a change" sh -c "! grep -q 'class=\"delta ' '$nout/index.html'"

# ---- meets RTO/RPO ---------------------------------------------------------
python3 - "$out/index.html" "$nout/index.html" <<'PY' >"$TMP/meets" 2>&1
import re, sys
def rows(p):
    page = open(p, encoding="utf-8").read()
    body = page[page.index('class="table-wrap order order-recovery"'):]
    body = body[:body.index("</table>")]
    return page, re.findall(r'<tr class="meets-(yes|no|unknown)"><th scope="row" data-id="([^"]*)"', body)
bad = 0
page, r = rows(sys.argv[1])
counts = {k: sum(1 for m, _ in r if m == k) for k in ("yes", "no", "unknown")}
for k, n in counts.items():
    if not re.search(r'<label for="meets-%s">%s \(%d\)</label>' % (k, k, n), page):
        print("filter label for %s does not say %d" % (k, n)); bad = 1
if len(r) != 16 or min(counts.values()) == 0:
    print("sample: want 16 rows with each verdict, got", counts); bad = 1
_, r = rows(sys.argv[2])
got = dict((s, m) for m, s in r)
if got != {"alpha-order-processing-service": "no", "beta": "no"}:
    print("near-targets verdicts:", got); bad = 1
sys.exit(bad)
PY
check "services table: one verdict per service, counted in the filter, no for failed drills and a never-backed-up store" [ $? -eq 0 ]
sed 's/^/    /' "$TMP/meets"
check "the meets column comes with its reasons" \
	grep -q 'NO</span><br><span class="note">backups never made; last drill failed; finding: rto missed<' "$nout/index.html"

# ---- the evidence page -----------------------------------------------------
python3 - "$out" <<'PY' >"$TMP/evidence" 2>&1
import html, json, re, sys
out = sys.argv[1]
page = open(out + "/evidence.html", encoding="utf-8").read()
man = json.load(open(out + "/evidence/manifest.json"))
outputs = man["outputs"]
files = {o["path"]: o for o in outputs} if isinstance(outputs, list) else outputs
reserved = {"evidence/manifest.json", "evidence/SHA256SUMS", "evidence/manifest.sig"}
want = sorted(p for p in files if p.startswith("evidence/") and p not in reserved)
rows = re.findall(r'<tr><th scope="row"><a href="([^"]*)">([^<]*)</a></th><td class="num" data-bytes="(\d+)">[^<]*</td><td><code class="hash">([0-9a-f]{64})</code>', page)
bad = 0
if [r[1] for r in rows] != want:
    print("listed", [r[1] for r in rows], "want", want); bad = 1
for href, path, size, sha in rows:
    f = files.get(path, {})
    if href != path or int(size) != f.get("size") or sha != f.get("sha256"):
        print("row", path, size, sha, "manifest says", f); bad = 1
for s in ("drgen verify OUT", "sha256sum -c evidence/SHA256SUMS", "openssl pkeyutl -verify",
          "NOT SIGNED", "cannot show their hashes, nor its own"):
    if html.escape(s, quote=False) not in page:
        print("missing:", s); bad = 1
if len(rows) < 3:
    print("fewer than 3 evidence files"); bad = 1
print(len(rows), "files listed")
sys.exit(bad)
PY
check "evidence.html lists every evidence file with the manifest's size and SHA-256, and how to check them" [ $? -eq 0 ]
sed 's/^/    /' "$TMP/evidence"
check "evidence.html is itself in the manifest" grep -q '"evidence.html"' "$out/evidence/manifest.json"
check "drgen verify accepts the output with the evidence page" "$DRGEN" verify "$out" -q
check "the Evidence navigation entry opens evidence.html (dashboard)" \
	grep -q '<li><a href="evidence.html" aria-current\|<li><a href="evidence.html">Evidence</a>' "$out/index.html"
check "the Evidence navigation entry opens ../evidence.html (runbook)" \
	grep -q '<li><a href="../evidence.html">Evidence</a>' "$out/runbooks/ledger.html"
check "the evidence page marks its own navigation entry" \
	grep -q '<li><a href="evidence.html" aria-current="page">Evidence</a>' "$out/evidence.html"
if command -v openssl >/dev/null 2>&1 && openssl genpkey -algorithm ed25519 -out "$TMP/key.pem" 2>/dev/null; then
	if "$DRGEN" build "$near" -o "$TMP/signed" --period 2026-10 -q --sign "$TMP/key.pem" 2>"$TMP/sign.err"; then
		check "a signed pack's evidence page says it is signed and names the signature" \
			sh -c "grep -q 'SIGNED</span> The manifest is signed' '$TMP/signed/evidence.html' &&
				grep -q 'evidence/manifest.sig' '$TMP/signed/evidence.html' &&
				grep -q 'drgen verify OUT --key' '$TMP/signed/evidence.html'"
	else
		fail "near-targets builds with --sign"; sed 's/^/    /' "$TMP/sign.err"
	fi
else
	skip "signed evidence page: openssl cannot make an Ed25519 key here"
fi

# ---- in a browser ------------------------------------------------------------
browser=""
for b in chromium chromium-browser; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	skip "dashboard in a browser: chromium is not installed"
	exit 0
fi
probe() { python3 tests/tools/page_probe.py "$browser" "$@" 2>>"$TMP/probe.err"; }

# layout PAGE SIZE NAME: no small target, chart text apart and on screen, no sideways scroll
layout() {
	probe "$1" "$2" layout >"$TMP/layout.json"
	python3 - "$TMP/layout.json" "$4" >"$TMP/layout.out" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want_charts = sys.argv[2] == "charts"
bad = []
if "error" in r:
    bad.append(r["error"])
else:
    bad += ["target %(tag)s %(text)r is %(width)s x %(height)s px" % t for t in r["small_targets"]]
    for c in r["charts"]:
        bad += ["%s: %s" % (c["id"], p) for p in c["problems"]]
    if r["scroll_width"] > r["width"]:
        bad.append("the page scrolls sideways: %d px wide in a %d px window" % (r["scroll_width"], r["width"]))
    if want_charts and (not r["charts"] or r["chart_texts"] == 0):
        bad.append("no chart measured")
for b in bad[:20]:
    print(b)
print("%s px: %d charts, %d chart texts" % (r.get("width"), len(r.get("charts", [])), r.get("chart_texts", 0)))
sys.exit(1 if bad else 0)
PY
	rc=$?
	check "$3" [ $rc -eq 0 ]
	[ $rc -eq 0 ] || sed 's/^/    /' "$TMP/layout.out"
}
for size in 390,1200 1280,1200; do
	w=${size%,*}
	layout "$out/index.html" "$size" "sample dashboard at $w px: targets >= 24 px, chart text apart and on screen, no sideways scroll" charts
	layout "$nout/index.html" "$size" "near-targets dashboard at $w px: the same" charts
	layout "$out/evidence.html" "$size" "evidence page at $w px: targets >= 24 px, no sideways scroll" none
done

# services CHECKS... : the displayed services tables, for the radio buttons checked
services() {
	probe "$out/index.html" 1280,1200 services "$@" >"$TMP/services.json"
}
services
check "no choice: one table, recovery order, every service shown" python3 -c "
import json, sys
t = json.load(open('$TMP/services.json'))['tables']
sys.exit(0 if len(t) == 1 and t[0]['key'] == 'recovery' and len(t[0]['rows']) == 16
         and all(r['shown'] for r in t[0]['rows']) else 1)"
services --check meets-no
check "the filter 'no' (CSS only, the page has no script) shows exactly the services that do not meet their objectives" python3 -c "
import json, sys
r = json.load(open('$TMP/services.json'))['tables'][0]['rows']
sys.exit(0 if any(x['shown'] for x in r) and all(x['shown'] == (x['meets'] == 'no') for x in r) else 1)"
services --check sort-meets
check "sort by meets RTO/RPO: one table, no first, then unknown, then yes" python3 -c "
import json, sys
t = json.load(open('$TMP/services.json'))['tables']
k = [r['rank'] for r in t[0]['rows']]
sys.exit(0 if len(t) == 1 and t[0]['key'] == 'meets' and k == sorted(k) and len(set(k)) == 3 else 1)"
services --check sort-findings --check meets-yes
check "sort by findings with the filter 'yes': most findings first, only yes shown" python3 -c "
import json, sys
t = json.load(open('$TMP/services.json'))['tables']
rows = t[0]['rows']; f = [r['findings'] for r in rows]
sys.exit(0 if len(t) == 1 and t[0]['key'] == 'findings' and f == sorted(f, reverse=True)
         and all(r['shown'] == (r['meets'] == 'yes') for r in rows) else 1)"
check "the pages have no script" sh -c "! grep -l '<script' '$out/index.html' '$out/evidence.html'"

shots=${DRGEN_SCREENSHOTS:-$TMP/shots}
mkdir -p "$shots"
for at in backups drills compliance runbooks; do
	probe "$out/index.html" 390,1000 x --at "$at" --screenshot "$shots/dashboard-390-$at.png"
	check "screenshot of $at at 390 px" [ -s "$shots/dashboard-390-$at.png" ]
done
exit 0
