#!/bin/sh
# pdf.sh -- `--format pdf` end to end: the sample's audit and plan as
# PDF/A-3b (pdfinfo), carrying results.json and records.csv (pdfdetach,
# byte for byte), listed in the manifest with their hashes; every control id
# and every cell of the audit's backup table is on a page, inside it
# (pdftotext cropped to the page); page X of Y, the running header and the
# fingerprint on every page; the sign-off block on one page; no heading
# left alone at a page foot.  Then, on a minimal plan (fast): nothing is
# fetched (a template asking for a remote stylesheet gets a warning), a
# missing engine is a clear error naming the package, and a timed-out
# engine leaves the previous output as it was.
#
# The sample's PDFs are built once (WeasyPrint takes tens of seconds).
. "$DRGEN_ROOT/tests/lib/suite.sh"

SAMPLE="$DRGEN_ROOT/samples/kestrel"
OUT="$TMP/out"
ERR="$TMP/stderr"
mentions() { grep -qF -- "$1" "$ERR"; }

for tool in weasyprint pdfinfo pdftotext pdfdetach python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "pdf: $tool is not installed (make deps installs weasyprint and poppler-utils)"
		exit 0
	fi
done

t0=$(date +%s)
"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10 --format html,md,json,junit,pdf -q \
	2>"$ERR"; rc=$?
t1=$(date +%s)
if [ "$rc" -ne 0 ] || [ ! -f "$OUT/audit/2026-10.pdf" ] || [ ! -f "$OUT/plan.pdf" ]; then
	fail "build the sample with --format pdf (exit $rc)"; sed 's/^/    /' "$ERR" | head -20
	exit 0
fi
ok "build the sample with --format pdf ($((t1 - t0)) s)"
check "the PDF build warns about nothing fetched" sh -c '! grep -q "kept from loading" "$1"' _ "$ERR"

A="$OUT/audit/2026-10.pdf"
P="$OUT/plan.pdf"
for f in "$A" "$P"; do
	name=${f#"$OUT/"}
	pages=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
	check "$name: pdfinfo reads it ($pages pages)" test "${pages:-0}" -gt 1
	check "$name: identifies as PDF/A-3b" sh -c \
		'pdfinfo -meta "$1" | grep -q "pdfaid:part=\"3\" pdfaid:conformance=\"B\""' _ "$f"
	pdfdetach -list "$f" >"$TMP/list" 2>&1
	check "$name: pdfdetach lists results.json and records.csv" sh -c \
		'grep -q "^1: results.json$" "$1" && grep -q "^2: records.csv$" "$1" && grep -q "^2 embedded files" "$1"' _ "$TMP/list"
	rm -rf "$TMP/detach"; mkdir "$TMP/detach"
	(cd "$TMP/detach" && pdfdetach -saveall "$f" >/dev/null 2>&1)
	check "$name: the embedded results.json is the pack's, byte for byte" \
		cmp -s "$TMP/detach/results.json" "$OUT/evidence/results.json"
	check "$name: the embedded records.csv is the pack's, byte for byte" \
		cmp -s "$TMP/detach/records.csv" "$OUT/evidence/records.csv"
	# PDF/A-3: attachments are associated files, with a MIME type.
	check "$name: both attachments are associated files (AF, AFRelationship, MIME type)" sh -c \
		'[ "$(grep -a -c "/AFRelationship /Data" "$1")" -ge 1 ] &&
		 grep -a -q "/AF \[ *[0-9]* 0 R [0-9]* 0 R *\]" "$1" &&
		 grep -a -q "/Subtype /application#2Fjson" "$1" && grep -a -q "/Subtype /text#2Fcsv" "$1" &&
		 grep -a -q "/F (results.json)" "$1" && grep -a -q "/F (records.csv)" "$1"' _ "$f"
	sum=$(sha256sum "$f" | cut -d' ' -f1)
	check "$name: the manifest lists it with its SHA-256" \
		grep -qF "{\"path\": \"$name\", \"sha256\": \"$sum\"" "$OUT/evidence/manifest.json"
done
"$DRGEN" verify "$OUT" 2>"$ERR"; rc=$?
check "verify accepts the pack with its PDFs" test "$rc" -eq 0

# Text inside the page (crop box = A4 in points), in content order.
pdftotext -raw -x 0 -y 0 -W 595 -H 842 "$A" "$TMP/audit.txt" 2>/dev/null
check "audit PDF: every control id, every cell of the backup table, inside the page" python3 - \
	"$OUT/evidence/results.json" "$OUT/audit/2026-10.html" "$TMP/audit.txt" <<'EOF'
import html.parser, json, re, sys
res = json.load(open(sys.argv[1]))
text = re.sub(r"\s+", "", open(sys.argv[3], encoding="utf-8").read()).lower()
missing = []
for c in res["controls"]:
    if re.sub(r"\s+", "", c["control"]).lower() not in text:
        missing.append("control " + c["control"])

class Cells(html.parser.HTMLParser):
    """Cells of the table captioned 'Backup status per datastore...'."""
    def __init__(self):
        super().__init__(); self.cells = []; self.in_table = 0; self.cap = None
        self.cell = None; self.wanted = False
    def handle_starttag(self, tag, a):
        if tag == "table": self.in_table += 1; self.wanted = False
        elif tag == "caption": self.cap = ""
        elif tag in ("td", "th") and self.wanted: self.cell = ""
    def handle_endtag(self, tag):
        if tag == "caption":
            self.wanted = self.cap.startswith("Backup status per datastore"); self.cap = None
        elif tag in ("td", "th") and self.cell is not None:
            self.cells.append(self.cell); self.cell = None
        elif tag == "table": self.wanted = False
    def handle_data(self, d):
        if self.cap is not None: self.cap += d
        # each run of text of a cell on its own: a cell of two lines (a name
        # and a note) may come out of pdftotext with a neighbour between them
        if self.cell is not None: self.cell += d + "\0"
p = Cells(); p.feed(open(sys.argv[2], encoding="utf-8").read())
assert len(p.cells) > 50, "backup table not found (%d cells)" % len(p.cells)
for cell in p.cells:
    for part in cell.split("\0"):
        t = re.sub(r"\s+", "", part).lower()
        if t and t not in text:
            missing.append("cell " + cell.replace("\0", " | "))
if missing:
    print("missing:", missing[:10]); sys.exit(1)
EOF

# Per page: header, footer, page X of Y; sign-off on one page; headings.
check "audit PDF: every page has the running header, the fingerprint and page X of Y" \
	python3 - "$A" "$OUT/evidence/manifest.json" <<'EOF'
import json, subprocess, sys
fp = json.load(open(sys.argv[2]))["fingerprint"]["sha256"]
n = int([l.split()[1] for l in subprocess.run(["pdfinfo", sys.argv[1]], capture_output=True,
        text=True).stdout.splitlines() if l.startswith("Pages:")][0])
bad = []
for i in range(1, n + 1):
    t = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", sys.argv[1], "-"],
                       capture_output=True, text=True).stdout
    for want in ("Kestrel Payments Ltd · Audit report · 2026-10", "CONFIDENTIAL",
                 "Report fingerprint " + fp, "Page %d of %d" % (i, n)):
        if want not in t:
            bad.append((i, want))
if bad:
    print(bad[:5]); sys.exit(1)
EOF
check "audit PDF: the sign-off block is on one page, no heading alone at a page foot" \
	python3 - "$A" "$OUT/audit/2026-10.html" <<'EOF'
import html.parser, re, subprocess, sys
class H(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.h = []; self.cur = None
    def handle_starttag(self, tag, a):
        if tag in ("h2", "h3"): self.cur = ""
    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self.cur is not None:
            self.h.append(" ".join(self.cur.split())); self.cur = None
    def handle_data(self, d):
        if self.cur is not None: self.cur += d
h = H(); h.feed(open(sys.argv[2], encoding="utf-8").read())
heads = set(x for x in h.h if x)
pages = subprocess.run(["pdftotext", "-layout", sys.argv[1], "-"], capture_output=True,
                       text=True).stdout.split("\f")
bad = []
signoff = [i for i, t in enumerate(pages) if re.search(r"^\s*Sign-off\s*$", t, re.M)]
if len(signoff) != 1:
    bad.append("Sign-off heading on %d pages" % len(signoff))
else:
    t = pages[signoff[0]].split("Sign-off", 1)[1]
    for want in ("Prepared by", "Approved by", "Reviewed by (audit)"):
        if want not in t:
            bad.append("sign-off: %s not on the page of the heading" % want)
for i, t in enumerate(pages):
    lines = [l.strip() for l in t.splitlines() if l.strip()
             and not l.strip().startswith("Report fingerprint")]
    if len(lines) > 1 and " ".join(lines[-1].split()) in heads:
        bad.append("page %d ends with heading %r" % (i + 1, lines[-1]))
if bad:
    print(bad); sys.exit(1)
EOF
pdftotext -raw "$P" "$TMP/plan.txt" 2>/dev/null
check "plan PDF: the running header names the plan" grep -q "Kestrel Payments Ltd · Disaster recovery plan · 2026-10" "$TMP/plan.txt"

# ---- a minimal plan: fetching, missing engine, time limit -------------------
M="$TMP/mini"
MO="$TMP/mini-out"
"$DRGEN" init --minimal "$M" >/dev/null 2>&1
mkdir -p "$M/templates"
cat >"$M/templates/layout.html.mustache" <<'EOF'
{{<base.html}}
{{$head}}<link rel="stylesheet" href="http://127.0.0.1:9/remote.css"><img src="file:///etc/hostname" alt="">{{/head}}
{{/base.html}}
EOF
"$DRGEN" build "$M" -o "$MO" --period 2026-10 --format pdf 2>"$ERR"; rc=$?
check "minimal plan: --format pdf exits 0" test "$rc" -eq 0
check "minimal plan: --format pdf writes the HTML it is made from" test -f "$MO/plan.html"
check "a remote stylesheet is not fetched, and says so" \
	mentions "kept from loading http://127.0.0.1:9/remote.css"
check "a local file outside the pack is not read, and says so" \
	mentions "kept from loading file:///etc/hostname"

cp -R "$MO" "$TMP/before"
DRGEN_WEASYPRINT=/nonexistent/weasyprint "$DRGEN" build "$M" -o "$MO" --period 2026-10 \
	--format pdf 2>"$ERR"; rc=$?
check "no engine: exit 2" test "$rc" -eq 2
check "no engine: the error names the Debian package" mentions 'Debian package "weasyprint"'
check "no engine: the previous output is untouched" diff -r "$TMP/before" "$MO"

DRGEN_PDF_TIMEOUT=1 "$DRGEN" build "$M" -o "$MO" --period 2026-10 --format pdf 2>"$ERR"; rc=$?
check "engine over its time limit: exit 3" test "$rc" -eq 3
check "engine over its time limit: says so" mentions "did not finish"
check "engine over its time limit: the previous output is untouched" diff -r "$TMP/before" "$MO"
check "engine over its time limit: no staging folder left" \
	sh -c '! ls -a "$1" | grep -q "^\.mini-out\.drgen-staging\."' _ "$TMP"
# drgen killed while the engine works: the engine goes with it.
engine_running() { ps -eo args | grep -v grep | grep -qF "$TMP/.mini-out.drgen-staging"; }
"$DRGEN" build "$M" -o "$MO" --period 2026-10 --format pdf -q 2>/dev/null &
pid=$!
i=0
while [ "$i" -lt 100 ] && ! engine_running; do sleep 0.2; i=$((i + 1)); done
if engine_running; then
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	i=0
	while [ "$i" -lt 25 ] && engine_running; do sleep 0.2; i=$((i + 1)); done
	check "drgen killed: no PDF engine left running" sh -c '! ps -eo args | grep -v grep | grep -qF "$1"' _ "$TMP/.mini-out.drgen-staging"
	check "drgen killed: the previous output is untouched" diff -r "$TMP/before" "$MO"
else
	wait "$pid" 2>/dev/null
	skip "drgen killed during the PDF: the engine was never seen running"
fi
rm -rf "$TMP"
