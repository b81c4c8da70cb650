#!/bin/sh
# browser.sh -- the sample's pages in a real browser (headless Chromium):
# the dashboard and a runbook render to a non-blank screenshot at desktop
# and phone widths, and the browser logs no console errors for them; axe-core
# finds no accessibility violation on the dashboard and the evidence page
# (at 1280 and 390 px) nor on any runbook.  axe-core comes from npm,
# installed once into build/node (no global state); skipped with a message
# without node or npm, or when the install fails (offline).
# Installs Debian's chromium when missing; prints a skip line when that is
# not possible (no network, not root).  Screenshots are kept in
# $DRGEN_SCREENSHOTS when that is set, for a person to look at.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1

browser=""
for b in chromium chromium-browser; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
if [ -z "$browser" ]; then
	if [ "$(id -u)" = 0 ] && apt-get install -y chromium >"$TMP/apt.log" 2>&1; then
		browser=chromium
	else
		skip "browser checks: chromium is not installed and apt-get install chromium failed (offline?)"
		exit 0
	fi
fi

out=$TMP/out
if ! "$DRGEN" build samples/kestrel -o "$out" --period 2026-10 -q 2>"$TMP/build.err"; then
	fail "sample builds"; sed 's/^/    /' "$TMP/build.err"; exit 0
fi
shots=${DRGEN_SCREENSHOTS:-$TMP/shots}
mkdir -p "$shots"

# run_browser LOG ARGS...: one headless run with a fresh profile, offline.
run_browser() {
	log=$1; shift
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --hide-scrollbars --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" >"$log.out" 2>"$log.err"
	rc=$?
	rm -rf "$profile"
	return $rc
}

# distinct_colours PNG: how many colours the image uses (ImageMagick, or a
# small PNG decoder over the first rows with the python3 standard library).
distinct_colours() {
	if command -v identify >/dev/null 2>&1 && identify -format '%k' "$1" 2>/dev/null; then
		return
	fi
	python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, rows = bytearray(stride), set(), min(h, 600)
for y in range(rows):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp * 3))
    prev = line
print(len(colours))
PY
}

# One page at one size: a screenshot that is not blank, no console errors.
page() {
	name=$1 file=$2 size=$3
	png=$shots/$name.png
	if ! run_browser "$TMP/$name" --window-size="$size" --screenshot="$png" "file://$file" || [ ! -s "$png" ]; then
		fail "$name: screenshot taken"; tail -5 "$TMP/$name.err" | sed 's/^/    /'; return
	fi
	bytes=$(wc -c <"$png")
	colours=$(distinct_colours "$png")
	check "$name: screenshot is not blank ($bytes bytes, $colours colours)" \
		[ "$bytes" -gt 20000 -a "${colours:-0}" -gt 50 ]
}

page index-1280 "$out/index.html" 1280,2000
page runbook-1280 "$out/runbooks/card-authorization.html" 1280,2000
page index-390 "$out/index.html" 390,1600
page runbook-390 "$out/runbooks/card-authorization.html" 390,1600

# Console errors (script errors, blocked or failed loads) while loading.
for f in index.html evidence.html runbooks/card-authorization.html plan.html audit/2026-10.html; do
	log=$TMP/dom-$(echo "$f" | tr '/.' '--')
	run_browser "$log" --dump-dom "file://$out/$f"
	errs=$(grep -E ':CONSOLE|Uncaught|net::ERR_' "$log.err" | grep "file://" || true)
	check "$f: no console errors${errs:+ ($errs)}" [ -z "$errs" ]
	check "$f: the browser sees the page's main landmark" grep -q '<main id="main"' "$log.out"
done
# axe-core on the dashboard and the evidence page, at both widths.
AXE_VERSION=4.14.1
axe=$DRGEN_ROOT/build/node/node_modules/axe-core/axe.min.js
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	skip "axe-core: node or npm is not installed"
	exit 0
fi
if [ ! -s "$axe" ] || ! grep -q "\"version\": \"$AXE_VERSION\"" "$DRGEN_ROOT/build/node/node_modules/axe-core/package.json"; then
	mkdir -p "$DRGEN_ROOT/build/node"
	if ! timeout 300 npm install --prefix "$DRGEN_ROOT/build/node" --no-save --no-audit --no-fund \
		--no-package-lock "axe-core@$AXE_VERSION" >"$TMP/npm.log" 2>&1 || [ ! -s "$axe" ]; then
		skip "axe-core: npm install axe-core@$AXE_VERSION failed (offline?)"
		tail -3 "$TMP/npm.log" | sed 's/^/    /'
		exit 0
	fi
fi
for f in index.html evidence.html; do
	for size in 1280,1200 390,1200; do
		python3 tests/tools/page_probe.py "$browser" "$out/$f" "$size" axe --axe "$axe" \
			>"$TMP/axe.json" 2>"$TMP/axe.err"
		python3 - "$TMP/axe.json" >"$TMP/axe.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    print(r["error"]); sys.exit(1)
for v in r["violations"]:
    print("%s (%s): %s" % (v["id"], v["impact"], v["help"]))
    for n in v["nodes"]:
        print("  at", n["target"])
print("%d rules passed" % (r["passes"] or 0))
sys.exit(1 if r["violations"] or not r["passes"] else 0)
PY
		rc=$?
		check "axe-core $AXE_VERSION: no violation on $f at ${size%,*} px" [ $rc -eq 0 ]
		[ $rc -eq 0 ] || sed 's/^/    /' "$TMP/axe.out"
	done
done

# axe-core on every runbook: the page with axe.min.js added, run in the
# browser; the violations are written into the DOM that --dump-dom prints.
mkdir -p "$TMP/axe"
cp "$axe" "$TMP/axe/axe.min.js"
for f in "$out"/runbooks/*.html; do
	name=$(basename "$f" .html)
	sed 's#</body>#<script src="axe.min.js"></script><script>axe.run(document, {resultTypes: ["violations"]}).then(function (r) { var p = document.createElement("pre"); p.textContent = "AXE-RESULT" + JSON.stringify(r.violations.map(function (v) { return v.id + " (" + v.impact + "): " + v.nodes.map(function (n) { return n.target.join(" "); }).join(", "); })) + "AXE-END"; document.body.appendChild(p); });</script></body>#' \
		"$f" >"$TMP/axe/$name.html"
	run_browser "$TMP/axe-$name" --virtual-time-budget=5000 --dump-dom "file://$TMP/axe/$name.html"
	res=$(tr -d '\n' <"$TMP/axe-$name.out" | sed -n 's/.*AXE-RESULT\(\[.*\]\)AXE-END.*/\1/p')
	if [ -z "$res" ]; then
		fail "runbooks/$name.html: axe-core ran"; tail -3 "$TMP/axe-$name.err" | sed 's/^/    /'
	else
		check "runbooks/$name.html: no axe-core violation${res#[]}" [ "$res" = "[]" ]
	fi
done
exit 0
