#!/bin/sh
# records.sh -- evidence an auditor can open, and the report fingerprint:
# every input copied under evidence/inputs/ byte for byte with the manifest's
# hash; evidence/records.csv has a row for every backup record and drill a
# control's evidence names, whose file and line hold that record, and each
# such evidence item of results.json gives that file and line; every
# evidence link of the audit resolves (a file of the pack, or a row of
# records.csv that names what the item names); the fingerprint, recomputed
# here from the manifest as docs/evidence.md defines it, is on the first
# screen of the audit and the plan and in the manifest; the method section
# counts the whole population; `drgen verify` says "integrity only: not
# signed" on an unsigned pack, checks a signed one, and refuses a manifest
# whose fingerprint does not match its files.
. "$DRGEN_ROOT/tests/lib/suite.sh"

SAMPLE="$DRGEN_ROOT/samples/kestrel"
OUT="$TMP/out"
ERR="$TMP/stderr"
mentions() { grep -qF -- "$1" "$ERR"; }

if ! command -v python3 >/dev/null 2>&1; then
	skip "records: python3 not found"
	exit 0
fi
"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10 -q 2>"$ERR"; rc=$?
if [ "$rc" -ne 0 ]; then
	fail "build sample (exit $rc)"; sed 's/^/    /' "$ERR" | head
	exit 0
fi
ok "build sample"

check "every input is copied under evidence/inputs/ with the manifest's hash" python3 - \
	"$OUT" "$SAMPLE" <<'EOF'
import hashlib, json, os, sys
out, plan = sys.argv[1:]
m = json.load(open(os.path.join(out, "evidence/manifest.json")))
outs = {o["path"]: o["sha256"] for o in m["outputs"]}
assert len(m["inputs"]) > 10
for i in m["inputs"]:
    copy = os.path.join(out, "evidence/inputs", i["path"])
    data = open(copy, "rb").read()
    assert data == open(os.path.join(plan, i["path"]), "rb").read(), i["path"]
    assert hashlib.sha256(data).hexdigest() == i["sha256"], i["path"]
    assert outs["evidence/inputs/" + i["path"]] == i["sha256"], i["path"]
EOF

check "records.csv: a row for every record and drill a control names, at its file and line" \
	python3 - "$OUT" "$SAMPLE" <<'EOF'
import csv, json, os, sys
out, plan = sys.argv[1:]
res = json.load(open(os.path.join(out, "evidence/results.json")))
rows = list(csv.DictReader(open(os.path.join(out, "evidence/records.csv"), newline="",
                                encoding="utf-8-sig")))
assert rows, "no rows"
assert list(rows[0].keys()) == ["kind", "id", "subject", "date", "status", "verification",
                                "verified_ok", "file", "line", "controls"]
named_rec, named_drill = {}, {}
for c in res["controls"]:
    label = c["framework"] + ":" + c["control"]
    for e in c.get("evidence", []):
        if isinstance(e, dict) and "record" in e:
            named_rec.setdefault(e["record"], set()).add(label)
        elif isinstance(e, dict) and "drill" in e:
            named_drill.setdefault(e["drill"], set()).add(label)
assert named_rec and named_drill
by_id = {}
for r in rows:
    by_id.setdefault((r["kind"] in ("backup", "restore_test") and "rec" or r["kind"], r["id"]), []).append(r)
for rec, controls in named_rec.items():
    got = by_id.get(("rec", rec))
    assert got, "record %s has no row" % rec
    for r in got:
        line = open(os.path.join(plan, r["file"]), encoding="utf-8").read().split("\n")[int(r["line"]) - 1]
        j = json.loads(line)
        assert j["id"] == rec, (rec, r["file"], r["line"])
        want = "restore_test" if j.get("kind", j.get("verification")) == "restore_test" else j.get("kind", "backup")
        assert r["kind"] == want, (rec, r["kind"])
        assert r["subject"] == j["datastore"] and r["status"] == j["status"]
        assert all(c in r["controls"] for c in controls), (rec, controls, r["controls"])
for d, controls in named_drill.items():
    got = by_id.get(("drill", d))
    assert got and len(got) == 1, "drill %s: %s" % (d, got)
    assert os.path.exists(os.path.join(plan, got[0]["file"]))
    assert d in open(os.path.join(plan, got[0]["file"]), encoding="utf-8").read()
# nothing listed that no control names
for r in rows:
    if r["kind"] in ("drill", "drill_result"):
        assert r["id"] in named_drill, r
    else:
        assert r["id"] in named_rec, r
EOF

check "results.json: every evidence item naming a record gives the file and line that hold it" \
	python3 - "$OUT" "$SAMPLE" <<'EOF'
import json, os, sys
out, plan = sys.argv[1:]
res = json.load(open(os.path.join(out, "evidence/results.json")))
lines, n = {}, 0
for c in res["controls"]:
    items = list(c.get("evidence", []))
    for k in c.get("checks", []):
        items += k.get("evidence", [])
    for e in items:
        if not isinstance(e, dict) or "record" not in e:
            continue
        n += 1
        assert isinstance(e.get("file"), str) and isinstance(e.get("line"), int), e
        path = os.path.join(plan, e["file"])
        assert os.path.isfile(path), e
        if path not in lines:
            lines[path] = open(path, encoding="utf-8").read().split("\n")
        assert 1 <= e["line"] <= len(lines[path]), e
        assert json.loads(lines[path][e["line"] - 1])["id"] == e["record"], e
assert n > 0, "no evidence item names a record"
EOF

check "audit: every evidence link resolves to a file of the pack or the row that names it" \
	python3 - "$OUT" <<'EOF'
import csv, html.parser, os, re, sys
out = sys.argv[1]
rows = list(csv.reader(open(os.path.join(out, "evidence/records.csv"), newline="",
                            encoding="utf-8-sig")))
class A(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.links = []; self.href = None; self.text = None; self.ev = 0
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "ul" and a.get("class") == "evidence": self.ev += 1
        if tag == "a" and self.ev: self.href = a.get("href"); self.text = ""
    def handle_endtag(self, tag):
        if tag == "ul" and self.ev: self.ev -= 1
        if tag == "a" and self.href is not None:
            self.links.append((self.href, self.text)); self.href = None
    def handle_data(self, d):
        if self.href is not None: self.text += d
for doc in ("audit/2026-10.html",):
    p = A(); p.feed(open(os.path.join(out, doc), encoding="utf-8").read())
    assert len(p.links) > 50, len(p.links)
    kinds = set()
    for href, text in p.links:
        if href.startswith("#"):
            continue   # a finding on the same page (audit_report checks those)
        path, _, frag = href.partition("#")
        target = os.path.normpath(os.path.join(out, os.path.dirname(doc), path))
        assert os.path.isfile(target), href
        if frag:
            n = int(re.fullmatch(r"row=(\d+)", frag).group(1))
            row = rows[n - 1]   # RFC 7111: the header is row 1
            m = re.search(r"(?:record|drill): ([^,]+)", text)
            assert m and m.group(1) == row[1], (href, text, row[:2])
            kinds.add("row")
        else:
            kinds.add("file")
    assert kinds == {"row", "file"}, kinds
EOF

check "fingerprint: recomputed from the manifest, on the first screen of audit and plan" \
	python3 - "$OUT" <<'EOF'
import hashlib, json, os, sys
out = sys.argv[1]
m = json.load(open(os.path.join(out, "evidence/manifest.json")))
fp = m["fingerprint"]
text = "drgen report fingerprint 1\n"
for kind, key in (("input", "inputs"), ("rule", "rules"), ("template", "templates")):
    for f in sorted(m[key], key=lambda f: f["path"].encode()):
        if kind == "rule" and f["path"] in fp["excludes"]:
            continue
        text += "%s %s %s\n" % (kind, f["sha256"], f["path"])
assert hashlib.sha256(text.encode()).hexdigest() == fp["sha256"]
for doc in ("audit/2026-10.html", "plan.html", "audit/2026-10.md"):
    head = open(os.path.join(out, doc), encoding="utf-8").read()
    body = head[head.find("<body"):] if doc.endswith(".html") else head
    assert "Report fingerprint" in body[:8000] and fp["sha256"] in body[:8000], doc
html = open(os.path.join(out, "audit/2026-10.html"), encoding="utf-8").read()
assert '@bottom-left { content: "Report fingerprint %s"' % fp["sha256"] in html
EOF

check "method: the whole population and every file with its digest" python3 - "$OUT" "$SAMPLE" <<'EOF'
import glob, json, os, sys
out, plan = sys.argv[1:]
html = open(os.path.join(out, "audit/2026-10.html"), encoding="utf-8").read()
sec = html[html.index('<h2 id="method">'):]
sec = sec[:sec.index("</section>")]
lines = [l for f in glob.glob(os.path.join(plan, "backups/*.ndjson"))
         for l in open(f, encoding="utf-8") if l.strip()]
# a line of kind restore_test is a restore test; every other line a backup
restore = sum(1 for l in lines if json.loads(l).get("kind") == "restore_test")
backups = len(lines) - restore
drills = len(json.load(open(os.path.join(out, "evidence/results.json")))["drills"])
def count(n, word):  # "1 drill", "2 drills"
    return "{:,} {}{}".format(n, word, "" if n == 1 else "s")
assert count(backups, "backup record") + "," in sec, backups
assert count(restore, "restore test") + " in" in sec, restore
assert count(drills, "drill") + " and" in sec, drills
m = json.load(open(os.path.join(out, "evidence/manifest.json")))
for key in ("inputs", "rules", "templates"):
    for f in m[key]:
        assert f["sha256"] in sec and f["path"] in sec, f
EOF

"$DRGEN" verify "$OUT" 2>"$ERR"; rc=$?
check "verify unsigned: exit 0" test "$rc" -eq 0
check "verify unsigned: says integrity only: not signed" mentions "integrity only: not signed"
fp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fingerprint"]["sha256"])' "$OUT/evidence/manifest.json")
check "verify prints the report fingerprint" mentions "report fingerprint $fp"

# A manifest whose fingerprint is not its files' (SHA256SUMS made to agree).
rm -rf "$TMP/w"; cp -R "$OUT" "$TMP/w"
sed "s/\"sha256\": \"$fp\"/\"sha256\": \"$(echo x | sha256sum | cut -d' ' -f1)\"/" \
	"$OUT/evidence/manifest.json" >"$TMP/w/evidence/manifest.json"
new=$(sha256sum "$TMP/w/evidence/manifest.json" | cut -d' ' -f1)
sed "s|^[0-9a-f]*  evidence/manifest.json$|$new  evidence/manifest.json|" \
	"$OUT/evidence/SHA256SUMS" >"$TMP/w/evidence/SHA256SUMS"
"$DRGEN" verify "$TMP/w" 2>"$ERR"; rc=$?
check "verify: a fingerprint that is not the files' fails (exit 2)" test "$rc" -eq 2
check "verify: and says which" mentions "report fingerprint"

if command -v openssl >/dev/null 2>&1; then
	openssl genpkey -algorithm ed25519 -out "$TMP/key.pem" 2>/dev/null
	openssl pkey -in "$TMP/key.pem" -pubout -out "$TMP/pub.pem" 2>/dev/null
	"$DRGEN" build "$SAMPLE" -o "$TMP/signed" --period 2026-10 -q --sign "$TMP/key.pem" 2>"$ERR"
	"$DRGEN" verify "$TMP/signed" --key "$TMP/pub.pem" 2>"$ERR"; rc=$?
	check "verify signed with --key: exit 0, signature is valid" sh -c \
		'[ "$1" -eq 0 ] && grep -q "signature is valid" "$2" && ! grep -q "not signed" "$2"' _ "$rc" "$ERR"
	check "signed: the first screen says how to verify with the key" \
		grep -q "drgen verify OUT --key PUBLIC-KEY.pem" "$TMP/signed/audit/2026-10.html"
	"$DRGEN" verify "$TMP/signed" 2>"$ERR"; rc=$?
	check "verify signed without --key: exit 0, says the signature was not checked" sh -c \
		'[ "$1" -eq 0 ] && grep -q "signature not checked" "$2"' _ "$rc" "$ERR"
else
	skip "verify signed: openssl not found"
fi

rm -rf "$TMP"
