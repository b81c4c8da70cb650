#!/bin/sh
# Hostile files in a plan directory (issue 12, items 2 and 3), on copies of
# samples/kestrel:
#   - a FIFO (or a folder, or a device) where drgen expects a file must be
#     refused with "FILE: error: not a regular file" and exit 2, never block
#     in open(); every run has a `timeout` backstop, so a regression fails
#     here instead of hanging the suite;
#   - a symbolic link that leads out of the plan (or out of a --rules
#     folder) must be refused without reading its target: the target's text
#     never appears in a diagnostic and a linked rule never runs;  a link
#     that stays inside the plan is fine;
#   - a --previous results.json that is a symbolic link is refused, so a
#     link cannot make drgen quote another file in an error snippet.
. "$DRGEN_ROOT/tests/lib/suite.sh"
SAMPLE="$DRGEN_ROOT/samples/kestrel"
LIMIT=${HOSTILE_LIMIT:-60}   # a backstop, not a measurement
cd "$TMP" || exit 1
n=0

# fresh NAME: a copy of the sample as $TMP/NAME
fresh() { rm -rf "$1" && cp -R "$SAMPLE" "$1"; }
# run NAME CMD...: runs drgen with the backstop; rc in $rc, stderr in NAME.err
run() {
	_run=$1; shift
	timeout -k 5 "$LIMIT" "$DRGEN" "$@" >"$_run.out" 2>"$_run.err"
	rc=$?
}
# expect NAME RC PATTERN: the last run exited RC and stderr has PATTERN
expect() {
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "$1: drgen hung (killed after ${LIMIT}s)"
		return
	fi
	check "$1: exit $2" test "$rc" -eq "$2"
	if grep -qF -- "$3" "$1.err"; then
		ok "$1: says \"$3\""
	else
		fail "$1: says \"$3\""
		sed 's/^/    /' "$1.err" | head -20
	fi
}
# clean NAME TEXT: stderr of the last run does not contain TEXT
clean() { check "$1: does not show \"$2\"" sh -c '! grep -qF -- "$1" "$2"' sh "$2" "$1.err"; }
# no_asan NAME: no sanitizer report
no_asan() { check "$1: no sanitizer report" sh -c '! grep -q "Sanitizer" "$1"' sh "$1.err"; }
build() { _b=$1; shift; run "$_b" build "$@" -o "$TMP/$_b.o" --period 2026-10; }

# ---- item 2: files that are not regular files -----------------------------

fresh fifo-plan && rm fifo-plan/plan.json && mkfifo fifo-plan/plan.json
run fifo-plan check fifo-plan
expect fifo-plan 2 "fifo-plan/plan.json: error: not a regular file"
build fifo-plan-b fifo-plan
expect fifo-plan-b 2 "fifo-plan/plan.json: error: not a regular file"

fresh dir-plan && rm dir-plan/plan.json && mkdir dir-plan/plan.json
run dir-plan check dir-plan
expect dir-plan 2 "dir-plan/plan.json: error: not a regular file"

# A runbook a service names (settlement.md is named by plan.json).
fresh fifo-runbook && rm fifo-runbook/runbooks/settlement.md &&
	mkfifo fifo-runbook/runbooks/settlement.md
run fifo-runbook check fifo-runbook
expect fifo-runbook 2 "fifo-runbook/runbooks/settlement.md: error: not a regular file"
build fifo-runbook-b fifo-runbook
expect fifo-runbook-b 2 "fifo-runbook/runbooks/settlement.md: error: not a regular file"

for sub in backups:x.ndjson drills:x.json drills:x.xml runbooks:x.md; do
	dir=${sub%%:*} file=${sub#*:}
	name=fifo-$dir-$(echo "$file" | tr . -)
	fresh "$name" && mkfifo "$name/$dir/$file"
	run "$name" check "$name"
	expect "$name" 2 "$name/$dir/$file: error: not a regular file"
	build "$name-b" "$name"
	expect "$name-b" 2 "$name/$dir/$file: error: not a regular file"
done

fresh dir-backup && mkdir dir-backup/backups/x.ndjson
run dir-backup check dir-backup
expect dir-backup 2 "dir-backup/backups/x.ndjson: error: not a regular file"

fresh fifo-rule && mkdir fifo-rule/rules && mkfifo fifo-rule/rules/drills.lua
build fifo-rule fifo-rule
expect fifo-rule 2 "fifo-rule/rules/drills.lua: error: not a regular file"

fresh fifo-tmpl && mkdir fifo-tmpl/templates && mkfifo fifo-tmpl/templates/index.html.mustache
build fifo-tmpl fifo-tmpl
expect fifo-tmpl 2 "fifo-tmpl/templates/index.html.mustache: error: not a regular file"

mkdir -p userrules && mkfifo userrules/tiers.lua
build fifo-userrule "$SAMPLE" --rules "$TMP/userrules"
expect fifo-userrule 2 "userrules/tiers.lua: error: not a regular file"

mkfifo prev.json
build fifo-prev "$SAMPLE" --previous prev.json
expect fifo-prev 2 "prev.json: error: not a regular file"
build dev-prev "$SAMPLE" --previous /dev/zero
expect dev-prev 2 "/dev/zero: error: not a regular file"

# ---- item 3: symbolic links out of the plan --------------------------------

mkdir -p outside
printf 'SECRET-FIRST-LINE is not Lua\n' >outside/secret.txt
printf 'error("RAN-FROM-OUTSIDE")\n' >outside/drills.lua

fresh link-secret && mkdir link-secret/rules &&
	ln -s "$TMP/outside/secret.txt" link-secret/rules/drills.lua
build link-secret link-secret
expect link-secret 2 "link-secret/rules/drills.lua: error: file leads outside the folder"
clean link-secret SECRET-FIRST-LINE
no_asan link-secret

fresh link-lua && mkdir link-lua/rules &&
	ln -s ../../outside/drills.lua link-lua/rules/drills.lua
build link-lua link-lua
expect link-lua 2 "link-lua/rules/drills.lua: error: file leads outside the folder"
clean link-lua RAN-FROM-OUTSIDE

# The plan's rules/ or templates/ folder itself linked out of the plan.
mkdir -p outside/rules outside/templates
cp outside/secret.txt outside/rules/drills.lua
cp outside/secret.txt outside/templates/index.html.mustache
for sub in rules templates; do
	name=link-dir-$sub
	fresh "$name" && ln -s "$TMP/outside/$sub" "$name/$sub"
	build "$name" "$name"
	expect "$name" 2 "$name/$sub: error: folder leads outside the plan directory"
	clean "$name" SECRET-FIRST-LINE
done

# A template linked out of the plan's templates/.
fresh link-tmpl && mkdir link-tmpl/templates &&
	ln -s "$TMP/outside/secret.txt" link-tmpl/templates/index.html.mustache
build link-tmpl link-tmpl
expect link-tmpl 2 "resolves outside the template directory"
clean link-tmpl SECRET-FIRST-LINE

# Drills and runbooks linked out of the plan (backups: tests/suites/cli.sh).
fresh link-drill && ln -s "$TMP/outside/secret.txt" link-drill/drills/evil.json
run link-drill check link-drill
expect link-drill 2 "link-drill/drills/evil.json: error: file leads outside the plan directory"
clean link-drill SECRET-FIRST-LINE
fresh link-runbook && rm link-runbook/runbooks/settlement.md &&
	ln -s "$TMP/outside/secret.txt" link-runbook/runbooks/settlement.md
run link-runbook check link-runbook
expect link-runbook 2 "leads outside the plan directory through a symbolic link"
clean link-runbook SECRET-FIRST-LINE

# A rule file in a --rules folder linked out of that folder.
mkdir -p userrules2 && ln -s "$TMP/outside/secret.txt" userrules2/tiers.lua
build link-userrule "$SAMPLE" --rules "$TMP/userrules2"
expect link-userrule 2 "userrules2/tiers.lua: error: file leads outside the folder"
clean link-userrule SECRET-FIRST-LINE

# Links that stay inside the plan are fine (and run).
fresh link-inside && mkdir -p link-inside/rules link-inside/shared &&
	cp "$DRGEN_ROOT/lua/drills.lua" link-inside/shared/drills.lua &&
	ln -s ../shared/drills.lua link-inside/rules/drills.lua
build link-inside link-inside
check "link-inside: a rule linked inside the plan builds (exit 0)" test "$rc" -eq 0
check "link-inside: the linked rule is in the manifest" \
	grep -q "rules/drills.lua" "$TMP/link-inside.o/evidence/manifest.json"

# --previous: a link is refused and its target is not quoted.
ln -s "$TMP/outside/secret.txt" prevlink.json
build link-prev "$SAMPLE" --previous prevlink.json
expect link-prev 2 "prevlink.json: error: file is a symbolic link"
clean link-prev SECRET-FIRST-LINE
# The file itself (not a link) still works as before: a bad one is quoted.
cp outside/secret.txt prevfile.json
build plain-prev "$SAMPLE" --previous prevfile.json
expect plain-prev 2 "prevfile.json:1:1: error: malformed previous results"

# ---- sockets and devices (where this machine lets the test make them) ------

fresh sock-runbook && rm sock-runbook/runbooks/settlement.md
if python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	sock-runbook/runbooks/settlement.md 2>/dev/null; then
	run sock-runbook check sock-runbook
	expect sock-runbook 2 "sock-runbook/runbooks/settlement.md: error: not a regular file"
else
	skip "sock-runbook: cannot make a Unix socket here"
fi
fresh dev-plan && rm dev-plan/plan.json
if mknod dev-plan/plan.json c 1 3 2>/dev/null; then
	run dev-plan check dev-plan
	expect dev-plan 2 "dev-plan/plan.json: error: not a regular file"
else
	skip "dev-plan: cannot make a device node here (mknod)"
fi
