#!/bin/sh
# xml_safety.sh -- hostile JUnit XML drill files against `drgen check`.
#
# SPEC 8: XML is parsed without network access, without DTD loading and
# without entity expansion.  Each case writes a minimal plan directory in
# $TMP with one hostile drills/*.xml and checks that drgen refuses it
# quickly (exit 2, a clear diagnostic), never shows the content of a local
# file named by an external entity, and never opens a network connection.
. "$DRGEN_ROOT/tests/lib/suite.sh"
trap 'rm -rf "$TMP"; [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null' EXIT

if [ ! -x "$DRGEN" ]; then
	skip "xml_safety: $DRGEN is not built"
	exit 0
fi

MARKER="drgen-xxe-marker-$$-q7Zk2"
SECRET="$TMP/secret.txt"
printf '%s\n' "$MARKER" >"$SECRET"

# plan_dir NAME: a minimal valid plan with one service ("web").
plan_dir() {
	d="$TMP/$1"
	mkdir -p "$d/drills"
	cat >"$d/plan.json" <<'EOF'
{
  "drgen": 1,
  "organization": {"id": "xml-safety", "name": "XML Safety Test"},
  "plan": {"version": "1"},
  "services": [{"id": "web", "name": "Web"}]
}
EOF
	echo "$d"
}

# run_check DIR: drgen check under a 10 s limit; sets RC, output in $OUT.
run_check() {
	OUT="$TMP/out.$$"
	timeout 10 "$DRGEN" check "$1" >"$OUT.stdout" 2>"$OUT.stderr"
	RC=$?
	cat "$OUT.stdout" "$OUT.stderr" >"$OUT"
}

# no_marker NAME: the secret's content appears in no output and no file.
no_marker() {
	if grep -q "$MARKER" "$OUT" ||
	   grep -rqs "$MARKER" --exclude=secret.txt "$TMP"; then
		fail "$1: the local file's content leaked"
		sed 's/^/    /' "$OUT" | head -20
	else
		ok "$1: no leak of the local file"
	fi
}

# refused NAME FILE: exit 2 (not a timeout) and the DOCTYPE diagnostic.
refused() {
	if [ "$RC" -eq 124 ]; then
		fail "$1: timed out after 10 s"
	elif [ "$RC" -ne 2 ]; then
		fail "$1: exit status $RC, expected 2"
		sed 's/^/    /' "$OUT" | head -20
	elif ! grep -q "$2:[0-9]*: error: DOCTYPE is not allowed in drill XML" "$OUT"; then
		fail "$1: no DOCTYPE diagnostic naming $2"
		sed 's/^/    /' "$OUT" | head -20
	else
		ok "$1: refused with exit 2"
	fi
}

# ---- baseline: the minimal plan with a well-formed drill passes ----
D=$(plan_dir baseline)
cat >"$D/drills/ok.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="ok" timestamp="2026-10-01T10:00:00Z">
  <properties>
    <property name="drill.id" value="ok-1"/>
    <property name="drill.type" value="chaos"/>
  </properties>
  <testcase classname="web" name="failover" time="60"/>
</testsuite>
EOF
run_check "$D"
if [ "$RC" -eq 0 ]; then
	ok "baseline: a well-formed drill passes check"
else
	fail "baseline: check exited $RC on a valid plan"
	sed 's/^/    /' "$OUT" | head -20
fi

# ---- billion laughs: 10 levels of 10 references, 10^10 expansions ----
D=$(plan_dir bomb)
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE testsuite ['
	echo ' <!ENTITY l0 "lol">'
	i=1
	while [ $i -le 10 ]; do
		p=$((i - 1))
		printf ' <!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">\n' \
			$i $p $p $p $p $p $p $p $p $p $p
		i=$((i + 1))
	done
	echo ']>'
	echo '<testsuite name="&l10;" timestamp="2026-10-01">'
	echo ' <properties><property name="drill.id" value="&l10;"/>'
	echo ' <property name="drill.type" value="chaos"/></properties>'
	echo ' <testcase classname="web"><failure message="&l10;">&l10;</failure></testcase>'
	echo '</testsuite>'
} >"$D/drills/bomb.xml"
start=$(date +%s)
run_check "$D"
elapsed=$(( $(date +%s) - start ))
refused "billion laughs" "bomb.xml"
if [ "$elapsed" -le 5 ]; then
	ok "billion laughs: answered in ${elapsed}s"
else
	fail "billion laughs: took ${elapsed}s"
fi
if [ "$(wc -c <"$OUT")" -lt 4096 ]; then
	ok "billion laughs: output stays small (nothing expanded)"
else
	fail "billion laughs: $(wc -c <"$OUT") bytes of output"
fi

# ---- external entity naming a local file (XXE) ----
# In element text, where a parser that substitutes entities would put the
# file's content into drill.type, and so into an "invalid value" message.
D=$(plan_dir xxe)
cat >"$D/drills/xxe.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file://$SECRET">]>
<testsuite timestamp="2026-10-01">
  <properties>
    <property name="drill.id" value="xxe"/>
    <property name="drill.type">&xxe;</property>
  </properties>
  <testcase classname="web"><failure>&xxe;</failure></testcase>
</testsuite>
EOF
run_check "$D"
refused "external entity (file)" "xxe.xml"
no_marker "external entity (file)"

# The same through a parameter entity, read inside the DTD itself.
D=$(plan_dir xxe-param)
cat >"$D/drills/param.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE testsuite [
  <!ENTITY % file SYSTEM "file://$SECRET">
  <!ENTITY % wrap "<!ENTITY leak '%file;'>">
  %wrap;
]>
<testsuite name="&leak;" timestamp="2026-10-01"/>
EOF
run_check "$D"
refused "parameter entity (file)" "param.xml"
no_marker "parameter entity (file)"

# XInclude is never processed: the element is just unknown.
D=$(plan_dir xinclude)
cat >"$D/drills/xi.xml" <<EOF
<?xml version="1.0"?>
<testsuite xmlns:xi="http://www.w3.org/2001/XInclude" timestamp="2026-10-01">
  <properties>
    <property name="drill.id" value="xi"/>
    <property name="drill.type" value="chaos"/>
  </properties>
  <testcase classname="web">
    <failure><xi:include href="file://$SECRET" parse="text"/></failure>
  </testcase>
</testsuite>
EOF
run_check "$D"
if [ "$RC" -eq 0 ] || [ "$RC" -eq 2 ]; then
	ok "xinclude: handled (exit $RC)"
else
	fail "xinclude: exit status $RC"
fi
no_marker "xinclude"

# ---- external DTD and external entities over http: no connection ----
# A local listener records any connection made to it.
HITS="$TMP/hits"
: >"$HITS"
PORT=
if command -v python3 >/dev/null 2>&1; then
	python3 - "$TMP/port" "$HITS" <<'EOF' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(60)
try:
    while True:
        c, _ = s.accept()
        with open(sys.argv[2], "a") as f:
            f.write("connection\n")
        c.close()
except Exception:
    pass
EOF
	LISTENER=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$TMP/port" ] && PORT=$(cat "$TMP/port")
fi
URL="http://127.0.0.1:${PORT:-9}"

D=$(plan_dir dtd)
cat >"$D/drills/dtd.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "$URL/junit.dtd">
<testsuite timestamp="2026-10-01">
  <properties>
    <property name="drill.id" value="dtd"/>
    <property name="drill.type" value="chaos"/>
  </properties>
</testsuite>
EOF
run_check "$D"
refused "external DTD (http)" "dtd.xml"

D=$(plan_dir http-entity)
cat >"$D/drills/http.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY remote SYSTEM "$URL/entity.txt">]>
<testsuite name="&remote;" timestamp="2026-10-01"/>
EOF
run_check "$D"
refused "external entity (http)" "http.xml"

if [ -z "$PORT" ]; then
	skip "no network connection: python3 is not available for the listener"
elif [ -s "$HITS" ]; then
	fail "no network connection: drgen connected to $URL"
else
	ok "no network connection was made"
fi
