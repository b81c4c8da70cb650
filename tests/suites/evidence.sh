#!/bin/sh
# evidence.sh -- the evidence pack end to end, with the real binary and the
# stock tools an auditor has: sha256sum -c, openssl pkeyutl; drgen verify on
# changed, missing and added files; a failed, refused or killed build leaves
# the previous output byte for byte as it was; stale staging folders go.
. "$DRGEN_ROOT/tests/lib/suite.sh"

SAMPLE="$DRGEN_ROOT/samples/kestrel"
OUT="$TMP/out"
ERR="$TMP/stderr"

if ! "$DRGEN" build --help >/dev/null 2>&1; then
	fail "drgen build is not available ($DRGEN build --help failed)"
	exit 1
fi

build() { "$DRGEN" build "$@" --period 2026-10 -q 2>"$ERR"; }
# same_tree A B: byte-identical trees (names and contents)
same_tree() { diff -r "$1" "$2" >/dev/null 2>&1; }
no_staging() { ! ls -a "$TMP" | grep -q '^\.out\.drgen-staging\.'; }
# mentions WORD: the last command's stderr contains WORD
mentions() { grep -qF -- "$1" "$ERR"; }

# ---- build, sha256sum -c, verify ------------------------------------------
build "$SAMPLE" -o "$OUT"; rc=$?
if [ "$rc" -ne 0 ] || [ ! -f "$OUT/evidence/manifest.json" ]; then
	fail "build sample (exit $rc)"; sed 's/^/    /' "$ERR" | head -20
	exit 1
fi
ok "build sample"
check "sha256sum -c accepts evidence/SHA256SUMS" \
	sh -c 'cd "$1" && sha256sum -c --quiet --strict evidence/SHA256SUMS' _ "$OUT"

# Every file but the evidence files themselves and top-level dot files is listed.
(cd "$OUT" && find . -type f ! -path './.*' | sed 's|^\./||' |
	grep -vx -e evidence/SHA256SUMS -e evidence/manifest.sig | LC_ALL=C sort) >"$TMP/found"
sed 's/^[0-9a-f]*  //' "$OUT/evidence/SHA256SUMS" | LC_ALL=C sort >"$TMP/listed"
check "SHA256SUMS lists every output and the manifest" cmp -s "$TMP/found" "$TMP/listed"
check "SHA256SUMS is sorted by path" sh -c 'sed "s/^[0-9a-f]*  //" "$1" | LC_ALL=C sort -c' _ "$OUT/evidence/SHA256SUMS"
if command -v python3 >/dev/null 2>&1; then
	check "manifest is JSON with the documented keys" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for k in ("drgen_version", "as_of", "period", "generated_at", "inputs", "rules", "templates", "outputs"):
    assert k in m, k
assert m["outputs"] and all(set(o) == {"path", "sha256", "size"} for o in m["outputs"])
assert [o["path"] for o in m["outputs"]] == sorted(o["path"] for o in m["outputs"])
assert m["inputs"] and any(i["path"] == "plan.json" for i in m["inputs"])
' "$OUT/evidence/manifest.json"
else
	skip "manifest keys: python3 not found"
fi
if grep -q '"path": "/' "$OUT/evidence/manifest.json"; then
	fail "manifest paths are relative"
else
	ok "manifest paths are relative"
fi

"$DRGEN" verify "$OUT" 2>"$ERR"; rc=$?
check "verify a fresh build exits 0" test "$rc" -eq 0

build "$SAMPLE" -o "$TMP/again"
check "two builds are byte-identical" same_tree "$OUT" "$TMP/again"

cp -R "$OUT" "$TMP/copied"
(cd "$TMP" && "$DRGEN" verify copied 2>"$ERR"); rc=$?
check "verify a copied output folder (relative paths)" test "$rc" -eq 0

# ---- tampering ------------------------------------------------------------
victim=$(cd "$OUT" && ls runbooks/*.html 2>/dev/null | head -1)
[ -n "$victim" ] || victim=index.html

rm -rf "$TMP/w"; cp -R "$OUT" "$TMP/w"
printf 'tampered\n' >>"$TMP/w/$victim"
"$DRGEN" verify "$TMP/w" 2>"$ERR"; rc=$?
check "verify: a changed file exits 2" test "$rc" -eq 2
check "verify: names the changed file" mentions "$victim was changed"

rm -rf "$TMP/w"; cp -R "$OUT" "$TMP/w"
rm "$TMP/w/$victim"
"$DRGEN" verify "$TMP/w" 2>"$ERR"; rc=$?
check "verify: a deleted file exits 2" test "$rc" -eq 2
check "verify: names the missing file" mentions "$victim is missing"

rm -rf "$TMP/w"; cp -R "$OUT" "$TMP/w"
echo '<p>planted</p>' >"$TMP/w/runbooks/planted.html"
"$DRGEN" verify "$TMP/w" 2>"$ERR"; rc=$?
check "verify: an added file exits 2" test "$rc" -eq 2
check "verify: names the added file" mentions "runbooks/planted.html was added"

rm -rf "$TMP/w"; cp -R "$OUT" "$TMP/w"
echo 'deny from all' >"$TMP/w/.htaccess"
"$DRGEN" verify "$TMP/w" 2>"$ERR"; rc=$?
check "verify: top-level dot files are not outputs" test "$rc" -eq 0

"$DRGEN" verify "$TMP/nowhere" 2>"$ERR"; rc=$?
check "verify: a missing folder exits 2" test "$rc" -eq 2

# ---- signing --------------------------------------------------------------
if command -v openssl >/dev/null 2>&1; then
	openssl genpkey -algorithm ed25519 -out "$TMP/key.pem" 2>/dev/null
	openssl pkey -in "$TMP/key.pem" -pubout -out "$TMP/pub.pem" 2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$TMP/key2.pem" 2>/dev/null
	openssl pkey -in "$TMP/key2.pem" -pubout -out "$TMP/pub2.pem" 2>/dev/null
	openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$TMP/rsa.pem" 2>/dev/null
	S="$TMP/signed"
	build "$SAMPLE" -o "$S" --sign "$TMP/key.pem"; rc=$?
	check "build --sign exits 0" test "$rc" -eq 0
	check "manifest.sig is a raw 64-byte signature" \
		test "$(wc -c <"$S/evidence/manifest.sig" 2>/dev/null)" -eq 64
	"$DRGEN" verify "$S" --key "$TMP/pub.pem" 2>"$ERR"; rc=$?
	check "verify --key PUB exits 0" test "$rc" -eq 0
	check "openssl pkeyutl -verify accepts the signature" \
		sh -c 'cd "$1/evidence" && openssl pkeyutl -verify -pubin -inkey "$2" -rawin \
			-in manifest.json -sigfile manifest.sig >/dev/null 2>&1' _ "$S" "$TMP/pub.pem"
	check "sha256sum -c accepts the signed output" \
		sh -c 'cd "$1" && sha256sum -c --quiet --strict evidence/SHA256SUMS' _ "$S"
	"$DRGEN" verify "$S" --key "$TMP/pub2.pem" 2>"$ERR"; rc=$?
	check "verify with another key exits 2" test "$rc" -eq 2
	check "verify with another key says why" mentions "is not a valid signature"

	rm -rf "$TMP/w"; cp -R "$S" "$TMP/w"
	sed 's/"period": "2026-10"/"period": "2026-09"/' "$S/evidence/manifest.json" \
		>"$TMP/w/evidence/manifest.json"
	"$DRGEN" verify "$TMP/w" --key "$TMP/pub.pem" 2>"$ERR"; rc=$?
	check "verify: a tampered manifest fails the signature (exit 2)" test "$rc" -eq 2
	if (cd "$TMP/w/evidence" && openssl pkeyutl -verify -pubin -inkey "$TMP/pub.pem" \
		-rawin -in manifest.json -sigfile manifest.sig >/dev/null 2>&1); then
		fail "openssl pkeyutl rejects the tampered manifest"
	else
		ok "openssl pkeyutl rejects the tampered manifest"
	fi

	cp -R "$S" "$TMP/signed.before"
	build "$SAMPLE" -o "$S" --sign "$TMP/rsa.pem"; rc=$?
	check "build --sign with an RSA key exits 2" test "$rc" -eq 2
	check "an RSA key is named as not Ed25519" mentions "not an Ed25519 key"
	build "$SAMPLE" -o "$S" --sign "$TMP/no-such-key.pem"; rc=$?
	check "build --sign with a missing key exits 2" test "$rc" -eq 2
	check "a bad key leaves the previous output byte-identical" same_tree "$TMP/signed.before" "$S"
else
	skip "signing: openssl command not found"
fi

# ---- failed and refused builds leave the previous output alone ------------
echo 'keep me' >"$OUT/.htaccess"
cp -R "$OUT" "$TMP/before"

cp -R "$SAMPLE" "$TMP/broken"
printf '{ "drgen": 1, "services": [ oops\n' >"$TMP/broken/plan.json"
build "$TMP/broken" -o "$OUT"; rc=$?
check "a build with a broken plan.json exits 2" test "$rc" -eq 2
check "a failed build leaves the previous output byte-identical" same_tree "$TMP/before" "$OUT"
check "a failed build leaves no staging folder" no_staging

mkdir "$TMP/mine"; echo 'my thesis' >"$TMP/mine/thesis.tex"
build "$SAMPLE" -o "$TMP/mine"; rc=$?
check "a non-empty folder not written by drgen is refused (exit 2)" test "$rc" -eq 2
check "the refused folder is untouched" sh -c 'test "$(cat "$1")" = "my thesis" && test "$(ls "$2" | wc -l)" -eq 1' _ "$TMP/mine/thesis.tex" "$TMP/mine"

build "$SAMPLE" -o "$OUT"; rc=$?
check "rebuild over a drgen output exits 0" test "$rc" -eq 0
check "top-level dot files are carried into the new output" \
	sh -c 'test "$(cat "$1")" = "keep me"' _ "$OUT/.htaccess"
"$DRGEN" verify "$OUT" 2>"$ERR"; rc=$?
check "verify after a rebuild with dot files exits 0" test "$rc" -eq 0

# ---- killed builds --------------------------------------------------------
rm -rf "$TMP/before"; cp -R "$OUT" "$TMP/before"

# A plan large enough that the build is still writing when it is killed:
# the sample's services cloned under new ids.
BIG="$TMP/big"
big_ok=false
if command -v python3 >/dev/null 2>&1; then
	cp -R "$SAMPLE" "$BIG"
	python3 - "$SAMPLE/plan.json" "$BIG/plan.json" <<'EOF' && big_ok=true
import json, sys
plan = json.load(open(sys.argv[1]))
orig = plan["services"]
ids = {s["id"] for s in orig}
clones = []
for k in range(300):
    for s in orig:
        c = json.loads(json.dumps(s))
        c["id"] = "%s-c%d" % (s["id"], k)
        c["depends_on"] = ["%s-c%d" % (x, k) if x in ids else x for x in s.get("depends_on", [])]
        for ds in c.get("datastores", []):
            ds["id"] = "%s-c%d" % (ds["id"], k)
        c.pop("tier_override", None)
        clones.append(c)
plan["services"] = orig + clones
json.dump(plan, open(sys.argv[2], "w"), indent=1)
EOF
fi

killed_mid=false
if $big_ok; then
	"$DRGEN" build "$BIG" -o "$OUT" --period 2026-10 -q >/dev/null 2>&1 &
	pid=$!
	i=0
	# Wait until the staging folder holds some runbooks (the build is
	# writing), then kill.
	while [ $i -lt 1200 ] && kill -0 "$pid" 2>/dev/null; do
		n=$(ls "$TMP"/.out.drgen-staging.*/runbooks 2>/dev/null | wc -l)
		if [ "$n" -ge 50 ]; then
			kill -9 "$pid" 2>/dev/null && killed_mid=true
			break
		fi
		sleep 0.05; i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if $killed_mid; then
		ok "killed a build while it was writing its staging folder"
	else
		skip "kill mid-write: the large build finished or failed before its staging folder was seen"
	fi
	check "a killed build leaves the previous output byte-identical" same_tree "$TMP/before" "$OUT"
	if $killed_mid && no_staging; then
		fail "the killed build left its staging folder (for the next build to remove)"
	elif $killed_mid; then
		ok "the killed build left its staging folder (for the next build to remove)"
	fi
fi

# Killed right after start (whatever it was doing).
"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10 -q >/dev/null 2>&1 &
pid=$!
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "a build killed at start leaves the previous output byte-identical" same_tree "$TMP/before" "$OUT"

# A stale staging folder (a killed build's, or a planted one) goes with
# the next build; similar names that are not exactly ours stay.
mkdir "$TMP/.out.drgen-staging.Zz9Kq1" && echo junk >"$TMP/.out.drgen-staging.Zz9Kq1/index.html"
mkdir "$TMP/.out.drgen-staging.not-ours"
build "$SAMPLE" -o "$OUT"; rc=$?
check "the build after a killed one exits 0" test "$rc" -eq 0
check "the next build removes stale staging folders" \
	sh -c '! ls -a "$1" | grep -qE "^\.out\.drgen-staging\.[A-Za-z0-9]{6}$"' _ "$TMP"
check "a folder not named exactly like a staging folder stays" test -d "$TMP/.out.drgen-staging.not-ours"
"$DRGEN" verify "$OUT" 2>"$ERR"; rc=$?
check "verify after recovery exits 0" test "$rc" -eq 0

rm -rf "$TMP"
