# Diagnostics never drive the terminal: file names from the plan's folders
# and JSON pointers built from its keys reach stderr escaped, and cut.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$TMP"

ESC=$(printf '\033')
cp -R "$DRGEN_ROOT/samples/kestrel" p
# A backup log named to retitle the terminal and clear the screen, then
# a C1 CSI (U+009B) and a byte that is not UTF-8.
printf 'junk\n' >"p/backups/$(printf 'x\033]0;pwned\007\033[2J\302\233\377.ndjson')"
# A key that moves up a line and erases it, a C1 CSI (U+009B), and a key
# of 300 KB, which would otherwise give a pointer of 300 KB.
python3 - p/plan.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["services"][0]["\x1b[1A\x1b[2Kevil"] = 1
d["services"][1]["\u009b2Jc1"] = 1
d["services"][2]["k" * 300000] = 1
json.dump(d, open(p, "w"), indent=2)
PY

"$DRGEN" check p 2>check.err; rc=$?
check "check: the bad backup log fails the plan" test $rc -eq 2
check "check: the file name is shown, escaped" \
	grep -qF 'x\u001b]0;pwned\u0007\u001b[2J\u009b\xff.ndjson:1:1: error: invalid JSON' check.err
check "check: the key's pointer is shown, escaped" \
	grep -qF '= at /services/0/\u001b[1A\u001b[2Kevil' check.err
check "check: a C1 control in a key is escaped" grep -qF '= at /services/1/\u009b2Jc1' check.err
check "check: no raw ESC, BEL or C1 byte reaches stderr" \
	python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); sys.exit(any(c in b for c in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xff")))' check.err
size=$(wc -c <check.err)
check "check: a 300 KB key gives a short pointer ($size bytes of stderr)" test "$size" -lt 4000

"$DRGEN" build p -o out --period 2026-10 2>build.err; rc=$?
check "build: refused with exit 2" test $rc -eq 2
check "build: no raw ESC byte reaches stderr" sh -c '! grep -q "$1" build.err' sh "$ESC"
