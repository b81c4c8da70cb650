#!/bin/sh
# documents.sh -- the documents of a build: well-formed HTML and SVG, nothing
# loaded from the network, every runbook section present, byte-identical
# rebuilds, and hostile plan text that renders as text and never as markup.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

A=$TMP/a B=$TMP/b H=$TMP/hostile
if ! "$DRGEN" build samples/kestrel -o "$A" --period 2026-10 -q 2>"$TMP/build.err"; then
	fail "sample builds"; sed 's/^/    /' "$TMP/build.err"; exit 0
fi
ok "sample builds"

# The checker of dangerous markup (python3 standard library + libcmark).
cat >"$TMP/check_documents.py" <<'PY'
import sys, os, ctypes, html.parser
# One script is allowed: the runbooks' copy button, an enhancement the page
# works without, exactly as shipped in templates/partials/copy-button.js.
ALLOWED_SCRIPT = open(os.path.join(os.environ["DRGEN_ROOT"], "templates/partials/copy-button.js.mustache"), encoding="utf-8").read().strip()
BAD_TAGS = {"script", "iframe", "object", "embed", "link", "base", "frame", "frameset", "applet", "form"}
URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "poster", "srcset", "background", "data"}
RESOURCE_TAGS = {"img", "script", "link", "iframe", "source", "video", "audio", "embed", "object", "image", "use", "input", "track"}
def bad_scheme(v):
    s = "".join(ch for ch in v if ch > " ").lower()
    return s.startswith(("javascript:", "vbscript:", "data:text", "data:application", "file:"))
class Checker(html.parser.HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name, self.problems, self.script = name, [], None
    def handle_starttag(self, tag, attrs):
        if tag == "script" and not attrs and os.sep + "runbooks" + os.sep in self.name and self.name.endswith(".html"):
            self.script = ""
        elif tag in BAD_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append("meta http-equiv")
        for k, v in attrs:
            v = v or ""
            if k.startswith("on"):
                self.problems.append(f"event handler attribute {k} on <{tag}>")
            if k in URL_ATTRS and bad_scheme(v):
                self.problems.append(f"{k}={v!r} on <{tag}>")
            if k in URL_ATTRS and tag in RESOURCE_TAGS and v.strip().lower().startswith(("http:", "https:", "//")):
                self.problems.append(f"remote resource {k}={v!r} on <{tag}>")
            if k == "style" and ("url(" in v.lower() or "expression(" in v.lower()):
                self.problems.append(f"style with url() on <{tag}>")
    handle_startendtag = handle_starttag
    def handle_data(self, data):
        if self.script is not None:
            self.script += data
    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            if self.script.strip() != ALLOWED_SCRIPT:
                self.problems.append("<script> element other than the shipped copy button")
            self.script = None
def check_html(name, text):
    c = Checker(name)
    c.feed(text)
    low = text.lower()
    if "@import" in low or "url(http" in low or "url(//" in low:
        c.problems.append("css import or remote url()")
    return c.problems
_cm = None
def md_to_html(text):
    global _cm
    if _cm is None:
        for lib in ("libcmark.so", "libcmark.so.0.30.2"):
            try:
                _cm = ctypes.CDLL(lib); break
            except OSError:
                continue
        _cm.cmark_markdown_to_html.restype = ctypes.c_void_p
        _cm.cmark_markdown_to_html.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
    b = text.encode()
    p = _cm.cmark_markdown_to_html(b, len(b), 1 << 17)  # CMARK_OPT_UNSAFE: keep raw HTML to detect it
    s = ctypes.string_at(p).decode()
    ctypes.CDLL(None).free(ctypes.c_void_p(p))
    return s
bad = 0
for root in sys.argv[1:]:
    for dp, dn, fn in os.walk(root):
        # evidence/inputs/ holds the plan's own files, copied byte for byte
        # (docs/evidence.md): inputs, not documents drgen wrote.
        if os.path.relpath(dp, root) == "evidence":
            dn[:] = [d for d in dn if d != "inputs"]
        for f in sorted(fn):
            path = os.path.join(dp, f)
            if f.endswith(".html"):
                probs = check_html(path, open(path, encoding="utf-8").read())
            elif f.endswith(".md"):
                probs = check_html(path, md_to_html(open(path, encoding="utf-8").read()))
            else:
                continue
            for p in probs:
                print(f"{path}: {p}")
                bad += 1
sys.exit(1 if bad else 0)
PY

# Every GitHub-flavoured pipe table keeps its column count on every row.
cat >"$TMP/check_tables.py" <<'PY'
import os, re, sys
def cells(line):
    # split a GFM table row on pipes that are not backslash-escaped or in code spans
    out, cur, i, code = [], "", 0, False
    s = line.strip()
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]; i += 2; continue
        if c == "`":
            code = not code
        if c == "|" and not code:
            out.append(cur); cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    if s.startswith("|"): out = out[1:]
    if s.endswith("|") and not s.endswith("\\|"): out = out[:-1]
    return len(out)
bad = 0
for root in sys.argv[1:]:
    for dp, dn, fn in os.walk(root):
        for f in sorted(fn):
            if not f.endswith(".md"): continue
            path = os.path.join(dp, f)
            lines = open(path, encoding="utf-8").read().split("\n")
            i = 0
            while i < len(lines) - 1:
                if lines[i].startswith("|") and re.match(r"^\|(\s*:?-+:?\s*\|)+\s*$", lines[i + 1]):
                    n = cells(lines[i]); j = i + 1
                    while j < len(lines) and lines[j].startswith("|"):
                        if cells(lines[j]) != n:
                            print(f"{path}:{j + 1}: {cells(lines[j])} cells, the header has {n}"); bad += 1
                        j += 1
                    i = j
                else:
                    i += 1
sys.exit(1 if bad else 0)
PY

# libxml2's HTML parser predates HTML5: it calls these elements unknown
# ("Tag main invalid"), which is not an error in the page.  Anything else is.
html5='nav|main|section|header|footer|article|aside|figure|figcaption|details|summary|svg|g|rect|line|text|title|desc|path|circle|time|mark'
html_errors() {
	xmllint --html --noout "$1" 2>&1 | awk -v re="Tag ($html5) invalid" '
		/HTML parser error|parser error|parser warning/ { skip = ($0 ~ re) ? 2 : 0; if (!skip) print; next }
		skip > 0 { skip--; next }
		{ print }'
}
if command -v xmllint >/dev/null 2>&1; then
	bad=0
	for f in $(find "$A" -name '*.html' | sort); do
		out=$(html_errors "$f")
		if [ -n "$out" ]; then bad=1; echo "    ${f#$A/}:"; echo "$out" | head -6 | sed 's/^/      /'; fi
	done
	check "every HTML page parses without errors (xmllint --html)" [ $bad = 0 ]

	# Every inline SVG chart, on its own, is well-formed XML.
	mkdir -p "$TMP/svg"
	python3 - "$A" "$TMP/svg" <<'PY'
import os, re, sys
root, out = sys.argv[1], sys.argv[2]
n = 0
for dp, dn, fn in sorted(os.walk(root)):
    for f in sorted(fn):
        if f.endswith(".html"):
            text = open(os.path.join(dp, f), encoding="utf-8").read()
            for m in re.finditer(r"<svg\b.*?</svg>", text, re.S):
                n += 1
                open(os.path.join(out, "%03d.svg" % n), "w", encoding="utf-8").write(m.group(0))
PY
	nsvg=$(ls "$TMP/svg" | wc -l)
	bad=0
	for s in "$TMP"/svg/*.svg; do
		[ -f "$s" ] || continue
		if ! xmllint --noout "$s" 2>"$TMP/svg.err"; then bad=1; head -3 "$TMP/svg.err" | sed 's/^/    /'; fi
	done
	check "inline SVG charts parse as XML ($nsvg charts)" [ $bad = 0 -a "$nsvg" -ge 4 ]
	check "evidence/controls.xml parses as XML" xmllint --noout "$A/evidence/controls.xml"
else
	skip "xmllint checks: xmllint not installed (make deps installs libxml2-utils)"
fi

# Standalone pages: no scripts (but the runbooks' copy button, checked by
# check_documents.py), stylesheets, fonts or images from anywhere.
remote=$(grep -rlE '<script[^>]|<link|<iframe|src="?https?:|src="?//|url\(|@import' "$A" --include='*.html' || true)
check "no scripts or remote resources in HTML${remote:+ ($remote)}" [ -z "$remote" ]
check "no dangerous markup in the sample's HTML and Markdown" python3 "$TMP/check_documents.py" "$A"
check "Markdown tables have as many cells in every row as in their header" \
	python3 "$TMP/check_tables.py" "$A"
noscope=$(grep -l '<th>' "$A"/*.html "$A"/*/*.html || true)
check "every table header cell has a scope${noscope:+ ($noscope)}" [ -z "$noscope" ]
check "pages declare their language and a main landmark" sh -c '
	for f in $(find "$1" -name "*.html"); do
		grep -q "<html lang=\"en\">" "$f" && grep -q "<main id=\"main\"" "$f" || { echo "    $f"; exit 1; }
	done' sh "$A"

# Every runbook has every section of SPEC 3.6, in both formats.
sections='At a glance|Dependencies and recovery order|Pre-disaster checklist|Detection|Declaration criteria|Pre-checks before failover|Recovery steps|Validation|Rollback|Contacts and escalation|Datastores and backups|Last drill|Open findings'
missing=""
for f in "$A"/runbooks/*.html "$A"/runbooks/*.md; do
	old_ifs=$IFS; IFS='|'
	for s in $sections; do
		case "$f" in
		*.html) grep -q "<h2 id=\"[^\"]*\">$s</h2>" "$f" ;;
		*) grep -qx "## $s" "$f" ;;
		esac || missing="$missing ${f#$A/}:$s"
	done
	IFS=$old_ifs
done
check "every runbook has every section heading${missing:+ (missing:$missing)}" [ -z "$missing" ]
nrb=$(ls "$A"/runbooks/*.html | wc -l)
nmd=$(ls "$A"/runbooks/*.md | wc -l)
check "one runbook per service (16 HTML, 16 Markdown)" [ "$nrb" = 16 -a "$nmd" = 16 ]
prose=$(grep -l 'Service procedures' "$A"/runbooks/*.html | wc -l)
check "hand-written prose reaches the five runbooks that have it" [ "$prose" = 5 ]
check "backups.csv starts with a UTF-8 BOM and uses CRLF" sh -c '
	head -c 3 "$1" | od -An -tx1 | grep -q "ef bb bf" && head -1 "$1" | grep -q "$(printf "\r")"' sh "$A/evidence/backups.csv"

# Determinism: a second build into another folder is byte-identical.
if "$DRGEN" build samples/kestrel -o "$B" --period 2026-10 -q 2>/dev/null && diff -r "$A" "$B" >"$TMP/det.diff"; then
	ok "two builds are byte-identical"
else
	fail "two builds are byte-identical"; head -20 "$TMP/det.diff" | sed 's/^/    /'
fi

# A plan restyles every page by overriding blocks of base.html in its own
# layout.html (docs/templates.md); the rest stays as shipped.
R=$TMP/restyled-plan
cp -r tests/golden/small-plan "$R"
mkdir -p "$R/templates"
cat >"$R/templates/layout.html.mustache" <<'TPL'
{{<base.html}}
{{$style}}
.band { background: #3b0764; }
{{/style}}
{{$footer}}
<p>Wren internal: do not forward.</p>
{{/footer}}
{{/base.html}}
TPL
if "$DRGEN" build "$R" -o "$TMP/restyled" --period 2026-10 -q 2>"$TMP/restyled.err"; then
	n_over=$(grep -l 'Wren internal: do not forward' "$TMP/restyled"/*.html "$TMP/restyled"/*/*.html | wc -l)
	n_all=$(find "$TMP/restyled" -name '*.html' | wc -l)
	check "a plan's layout.html restyles every HTML page ($n_over of $n_all)" [ "$n_over" = "$n_all" ]
	check "block overrides keep the rest of the shipped page" sh -c '
		grep -q "\.band { background: #3b0764; }" "$1/index.html" &&
		grep -q "<h1>Runbook: Orders</h1>" "$1/runbooks/orders.html" &&
		! grep -q "Generated by drgen" "$1/plan.html"' sh "$TMP/restyled"
	check "the manifest lists the plan's template" grep -q '"plan:templates/layout.html.mustache"' \
		"$TMP/restyled/evidence/manifest.json"
else
	fail "a plan with its own layout.html builds"; sed 's/^/    /' "$TMP/restyled.err"
fi

# Hostile input: markup in every text field of a plan stays text.
if ! "$DRGEN" build tests/hostile/plan -o "$H" --period 2026-10 -q 2>"$TMP/hostile.err"; then
	fail "hostile plan builds"; sed 's/^/    /' "$TMP/hostile.err"
else
	ok "hostile plan builds"
	check "hostile plan: no dangerous markup in HTML or Markdown" python3 "$TMP/check_documents.py" "$H"
	# A backslash before < is Markdown's escape: that text stays text.
	# (evidence/inputs/ is the plan's own files, copied byte for byte.)
	raw=$(grep -rlE '<(script[^>]|iframe|svg onload|img src=x)|onerror="|href="javascript|src="javascript' "$H" \
		--include='*.html' --include='*.xml' --exclude-dir=inputs || true)
	# (the audit's anchors, <a id="slug"></a>, are drgen's own: [a-z0-9.-] only)
	for f in $(find "$H" -path "$H/evidence/inputs" -prune -o -name '*.md' -print | sort); do
		if sed -E 's/<a id="[a-z0-9.-]+"><\/a>//g' "$f" | grep -qE '(^|[^\\])<(script|iframe|svg|img|a )'; then
			raw="$raw $f"
		fi
	done
	check "hostile plan: no raw <script>, onerror= or javascript: links${raw:+ ($raw)}" [ -z "$raw" ]
	check "hostile plan: script tags arrive escaped in HTML" grep -q '&lt;script&gt;alert' "$H/runbooks/evil.html"
	check "hostile plan: ampersands arrive as &amp;" grep -q 'Sons&quot; &#39;Ltd&#39;\|&amp; &quot;Sons' "$H/index.html"
	check "hostile plan: non-ASCII text reads correctly (HTML)" grep -q 'Zürich ☃ 東京' "$H/index.html" "$H/runbooks/evil.html"
	check "hostile plan: non-ASCII text reads correctly (Markdown)" grep -q 'Zürich ☃ 東京' "$H/runbooks/evil.md"
	check "hostile plan: Markdown escapes link syntax from inputs" grep -qF '\[click\](javascript:alert(8))' "$H/runbooks/evil.md"
	check "hostile plan: a remote image becomes a link showing its alt text (HTML)" \
		grep -qF '<a href="https://tracker.example/p.png">pixel</a>, <a href="//tracker.example/q.png">relative to the scheme</a>' "$H/runbooks/evil.html"
	check "hostile plan: a remote image becomes a link showing its alt text (Markdown)" \
		grep -qF '[pixel](https://tracker.example/p.png), [relative to the scheme](//tracker.example/q.png)' "$H/runbooks/evil.md"
	check "hostile plan: no image climbs out of the output" sh -c '! grep -q "src=\"\.\./" "$1"/runbooks/evil.html' sh "$H"
	check "hostile plan: Markdown tables keep their columns" python3 "$TMP/check_tables.py" "$H"
	check "hostile plan: a value cannot break a Markdown table row" sh -c '! grep -n "^ops$\|^newline" "$1"/plan.md' sh "$H"
	if command -v xmllint >/dev/null 2>&1; then
		check "hostile plan: controls.xml is well-formed" xmllint --noout "$H/evidence/controls.xml"
	fi
fi
exit 0
