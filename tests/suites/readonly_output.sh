#!/bin/sh
# Output where the user may not write (issue 12): drgen run as a user
# without write permission on the output's parent, or on a folder above it.
# Each build must fail with exit 3 and a message naming the folder and the
# real reason (Permission denied, not a later ENOENT), leave a previous
# output byte for byte as it was, and create nothing.  A plan file the user
# may not read is bad input (exit 2).
#
# Permissions do not bind root, so as root the builds run as nobody
# (setpriv); as any other user they run as that user.
. "$DRGEN_ROOT/tests/lib/suite.sh"
SAMPLE="$DRGEN_ROOT/samples/kestrel"

if [ "$(id -u)" -eq 0 ]; then
	if ! command -v setpriv >/dev/null 2>&1; then
		skip "readonly_output: running as root without setpriv (util-linux), so permissions cannot be tested"
		exit 0
	fi
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_user() { "$@"; }
fi

# A folder the unprivileged user can reach (the suite's TMP is private).
R=$(mktemp -d /tmp/drgen-readonly.XXXXXX)
trap 'chmod -R u+rwX "$R" 2>/dev/null; rm -rf "$R"' EXIT
chmod 755 "$R"
if ! as_user test -x "$DRGEN"; then
	skip "readonly_output: the unprivileged user cannot run $DRGEN (a private folder above it)"
	exit 0
fi
cp -R "$SAMPLE" "$R/plan"
chmod -R a+rX,go-w "$R/plan"
mkdir "$R/w"
"$DRGEN" build "$R/plan" -o "$R/w/out" --period 2026-09 >/dev/null 2>&1 ||
	fail "readonly_output: the previous build failed"
chmod -R a+rX,go-w "$R/w"
cp -a "$R/w" "$R/before"
# W is writable by the builder only when the builder is root; as another
# user it is the user's own folder, so take its write bit away.
[ "$(id -u)" -eq 0 ] || chmod a-w "$R/w"

build() {
	as_user "$DRGEN" build "$R/plan" -o "$1" --period 2026-10 >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
unchanged() { diff -r "$R/before" "$R/w" >/dev/null 2>&1; }
sanitizer_quiet() { ! grep -q -E 'Sanitizer|runtime error:|^==[0-9]+==' "$TMP/err"; }

# 1. The output's parent is not writable: no staging folder can be made.
build "$R/w/out"
if [ "$rc" -eq 3 ] && grep -q "error: cannot create a staging folder in $R/w: Permission denied" "$TMP/err" &&
	sanitizer_quiet && unchanged; then
	ok "read-only parent: exit 3, the folder and the reason named, the previous output untouched"
else
	fail "read-only parent: exit $rc"
	sed 's/^/    /' "$TMP/err" | grep -v warning | head -5
fi

# 2. A folder above the parent is not writable: the first folder that
# cannot be made is named, with mkdir's reason, and nothing is created.
build "$R/w/new/deeper/out"
if [ "$rc" -eq 3 ] && grep -q "error: cannot create folder $R/w/new: Permission denied" "$TMP/err" &&
	[ ! -e "$R/w/new" ] && sanitizer_quiet && unchanged; then
	ok "read-only ancestor: exit 3, the first folder that cannot be made and why"
else
	fail "read-only ancestor: exit $rc"
	sed 's/^/    /' "$TMP/err" | grep -v warning | head -5
fi

# 3. A plan file the user may not read: bad input, named, nothing written.
cp -R "$R/plan" "$R/plan2" && chmod 600 "$R/plan2/plan.json"
mkdir "$R/free" && chmod 777 "$R/free"
as_user "$DRGEN" build "$R/plan2" -o "$R/free/out" --period 2026-10 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "plan.json: error: .*Permission denied" "$TMP/err" &&
	sanitizer_quiet && [ -z "$(ls -A "$R/free")" ]; then
	ok "unreadable plan.json: exit 2, the file and the reason named, output untouched"
else
	fail "unreadable plan.json: exit $rc"
	sed 's/^/    /' "$TMP/err" | head -5
fi
