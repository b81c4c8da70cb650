#!/bin/sh
# I/O fault injection (STYLE.md; jq's inject_errors.c): `drgen build` of the
# sample into an output folder that holds a previous build, with the Nth
# write, file creation, mkdir, rename or flush failing (ENOSPC or EIO) through
# build/failio.so (tests/tools/failio.c, LD_PRELOAD).  For every N tried,
# either the build fails cleanly:
#   - the exit status is 3 (I/O) and stderr names the error ("error: ...:
#     No space left on device"), with no crash and no sanitizer report;
#   - the previous output is byte for byte what it was (diff -r against a
#     copy; it was built for another period, so a new build would differ);
#   - nothing is left beside it (no staging or "old" folder);
# or drgen works around the failure and the build is whole: exit 0, the
# new output passes `drgen verify`, the dot file was carried over, nothing
# is left beside it.  Two failures are legitimately worked around: mkdir
# of a parent folder that exists (the folder is there, so it is used), and
# the flush of the parent folder after the swap (too late to undo; a
# warning says so).
#
# The sanitized binary is used; ASan wants to be first in the library list,
# so verify_asan_link_order is turned off (the shim finds the real functions
# with dlsym(RTLD_NEXT), through ASan's interceptors).
. "$DRGEN_ROOT/tests/lib/suite.sh"
SO="$DRGEN_ROOT/build/failio.so"
SAMPLE="$DRGEN_ROOT/samples/kestrel"
if [ ! -f "$SO" ]; then
	skip "io_faults: build/failio.so was not built"
	exit 0
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
W="$TMP/w"
OUT="$W/out"
mkdir -p "$W"
status=0

# The previous output: another period, and a dot file drgen carries over.
if ! "$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-09 >"$TMP/prev.out" 2>&1; then
	fail "io_faults: the previous build failed"
	cat "$TMP/prev.out"
	exit 1
fi
printf 'kept\n' >"$OUT/.keep"
cp -a "$OUT" "$TMP/before"

# run NAME ENV...: drgen build under the shim; sets rc, leaves stderr in $TMP/err.
run() {
	rm -f "$TMP/log"
	env LD_PRELOAD="$SO" FAILIO_LOG="$TMP/log" "$@" \
		"$DRGEN" build "$SAMPLE" -o "$OUT" --period 2026-10 >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# How many calls of a kind a good build makes, on a copy of the same state.
count_calls() {
	rm -rf "$TMP/count" && mkdir "$TMP/count" && cp -a "$TMP/before" "$TMP/count/out"
	rm -f "$TMP/log"
	env LD_PRELOAD="$SO" FAILIO_LOG="$TMP/log" FAILIO_CALL="$1" \
		"$DRGEN" build "$SAMPLE" -o "$TMP/count/out" --period 2026-10 >/dev/null 2>&1
	sed -n 's/^calls //p' "$TMP/log" | tail -1
}

# Some N in [0, total): all of them when few, else both ends and between.
pick() {
	total=$1
	if [ "$total" -le 16 ]; then
		seq 0 $((total - 1))
	else
		printf '%s\n' 0 1 2 3 $((total / 4)) $((total / 2)) $((3 * total / 4)) \
			$((total - 3)) $((total - 2)) $((total - 1)) | sort -n -u
	fi
}

unchanged() {
	diff -r "$TMP/before" "$OUT" >"$TMP/diff" 2>&1 &&
		[ "$(ls -A "$W")" = "out" ]
}

sanitizer_quiet() {
	! grep -q -E 'Sanitizer|runtime error:|^==[0-9]+==' "$TMP/err"
}

restore() {
	rm -rf "$OUT" "$W"/.out.* && cp -a "$TMP/before" "$OUT"
}

# whole: the build succeeded and its output is complete and consistent.
whole() {
	[ "$rc" -eq 0 ] && sanitizer_quiet && [ "$(ls -A "$W")" = "out" ] &&
		[ "$(cat "$OUT/.keep" 2>/dev/null)" = kept ] &&
		[ -f "$OUT/audit/2026-10.html" ] &&
		"$DRGEN" verify "$OUT" >"$TMP/verify" 2>&1
}

# expect LABEL ERRNO_TEXT: checks the outcome of one injected failure.
expect() {
	label=$1 text=$2 problems=""
	if ! grep -q '^failed ' "$TMP/log" 2>/dev/null; then
		skip "$label: the call was not reached"
		restore
		return
	fi
	if [ "$rc" -eq 0 ]; then
		if whole; then
			how="worked around: the new output is whole and verifies"
			grep -q "warning: .*$text" "$TMP/err" && how="$how, with a warning"
			ok "$label ($how)"
		else
			fail "$label: exit 0 but the output is not whole: $(ls -A "$W" | tr '\n' ' ')"
			sed 's/^/    /' "$TMP/verify" | head -5
			status=1
		fi
		restore
		return
	fi
	[ "$rc" -eq 3 ] || problems="$problems exit $rc, not 3;"
	grep -q "error: .*$text" "$TMP/err" || problems="$problems no 'error: ...$text' message;"
	sanitizer_quiet || problems="$problems sanitizer report;"
	unchanged || problems="$problems previous output changed or leftovers: $(ls -A "$W" | tr '\n' ' ');"
	if [ -z "$problems" ]; then
		ok "$label"
	else
		fail "$label:$problems"
		grep -v 'backup records name datastores' "$TMP/err" | sed 's/^/    stderr: /' | head -8
		head -5 "$TMP/diff" | sed 's/^/    diff: /'
		status=1
	fi
	restore
}

for kind in write open,open64,openat,openat64 mkdir,mkdirat \
	rename,renameat,renameat2 fsync,fdatasync,syncfs; do
	total=$(count_calls "$kind")
	if [ -z "$total" ] || [ "$total" -eq 0 ]; then
		skip "io_faults: a build makes no $kind call"
		continue
	fi
	errno=ENOSPC
	for n in $(pick "$total"); do
		run FAILIO_CALL="$kind" FAILIO_AFTER="$n" FAILIO_ERRNO="$errno"
		text="No space left on device"
		[ "$errno" = EIO ] && text="Input/output error"
		expect "$kind call $((n + 1)) of $total fails with $errno" "$text"
		[ "$errno" = ENOSPC ] && errno=EIO || errno=ENOSPC
	done
	# A full disk: every call from the middle on fails.
	run FAILIO_CALL="$kind" FAILIO_AFTER=$((total / 2)) FAILIO_REPEAT=1
	expect "$kind calls from $((total / 2 + 1)) on fail (full disk)" "No space left on device"
done

# No RENAME_EXCHANGE (older kernels, some file systems): the two-rename swap.
run FAILIO_CALL=renameat2 FAILIO_AFTER=0 FAILIO_REPEAT=1 FAILIO_ERRNO=EINVAL
if [ "$rc" -eq 0 ] && sanitizer_quiet && [ "$(ls -A "$W")" = "out" ] &&
	[ "$(cat "$OUT/.keep" 2>/dev/null)" = kept ] && [ -f "$OUT/audit/2026-10.html" ] &&
	! diff -r -q "$TMP/before" "$OUT" >/dev/null 2>&1; then
	ok "without RENAME_EXCHANGE: the build swaps with two renames, nothing left beside"
else
	fail "without RENAME_EXCHANGE: exit $rc, beside: $(ls -A "$W" | tr '\n' ' ')"
	sed 's/^/    stderr: /' "$TMP/err" | head -8
	status=1
fi

rm -rf "$TMP"
exit $status
