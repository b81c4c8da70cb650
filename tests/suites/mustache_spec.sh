#!/bin/sh
# The Mustache engine: the specification's own tests (tests/tools/
# mustache_spec.c, one line per test), `drgen render` from the outside, and
# a short fuzzing session when the fuzzer could be built (clang).
. "$DRGEN_ROOT/tests/lib/suite.sh"
VARIANT_DIR=$(dirname "$DRGEN")
RUNNER="$VARIANT_DIR/tools/mustache_spec"
FUZZER="$DRGEN_ROOT/build/fuzz/fuzz_mustache"
SPEC="$SHARED_DIR/mustache-spec"
status=0

# ---- conformance -------------------------------------------------------
if [ ! -d "$SPEC" ]; then
	skip "mustache-spec: $SPEC is absent"
elif [ ! -x "$RUNNER" ]; then
	fail "mustache-spec: $RUNNER was not built"
	status=1
else
	"$RUNNER" "$SPEC" || status=1
fi

# ---- drgen render ------------------------------------------------------
W="$TMP/render"
mkdir -p "$W/partials/parts" "$W/outside"
printf 'Hi {{name}}, {{n}}' >"$W/plain.mustache"
printf '{"name": "<Ann & \\"Bo\\">", "n": 1.210, "items": ["a", "b"]}' >"$W/data.json"
printf '{{<layout}}{{$body}}\n{{#items}}\n  {{>parts/item}}\n{{/items}}\n{{/body}}{{/layout}}' >"$W/page.mustache"
printf '<main>\n{{$body}}default{{/body}}</main>\n' >"$W/partials/layout.mustache"
printf '* {{.}}\n' >"$W/partials/parts/item.mustache"
printf 'secret\n' >"$W/outside/leak.mustache"
ln -s ../outside/leak.mustache "$W/partials/leak.mustache"
printf 'a\n{{>leak}}\n' >"$W/leak.mustache"
printf 'x\n  {{#items}}\n{{.}}\n' >"$W/unclosed.mustache"
printf '{{>missing}}' >"$W/missing.mustache"
printf '{{>self}}' >"$W/partials/self.mustache"

"$DRGEN" render "$W/plain.mustache" "$W/data.json" >"$TMP/out" 2>"$TMP/err"
printf 'Hi &lt;Ann &amp; &quot;Bo&quot;&gt;, 1.21' >"$TMP/want"
check "render: exact output, escaped, number as the spec shows it" cmp -s "$TMP/out" "$TMP/want"

"$DRGEN" render "$W/page.mustache" "$W/data.json" --partials "$W/partials" >"$TMP/out" 2>"$TMP/err"
printf '<main>\n  * a\n  * b\n</main>\n' >"$TMP/want"
check "render: parent, block and indented partial from --partials" cmp -s "$TMP/out" "$TMP/want"

"$DRGEN" render "$W/plain.mustache" >"$TMP/out" 2>"$TMP/err"
check "render: without data the view is empty" test "$(cat "$TMP/out")" = "Hi , "

"$DRGEN" render "$W/unclosed.mustache" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: unclosed section exits 2" test "$rc" -eq 2
check "render: unclosed section names file, line and column" \
	grep -q "unclosed.mustache:2:3: error: unclosed section 'items'" "$TMP/err"
check "render: nothing written on error" test ! -s "$TMP/out"

"$DRGEN" render "$W/missing.mustache" --partials "$W/partials" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: unknown partial is an error" test "$rc" -eq 2
check "render: unknown partial message" grep -q "missing.mustache:1:1: error: unknown partial 'missing'" "$TMP/err"

"$DRGEN" render "$W/leak.mustache" --partials "$W/partials" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: a partial linked outside its directory is refused" test "$rc" -eq 2
check "render: refusal names the tag" grep -q "leak.mustache:2:1: error: .*outside the template directory" "$TMP/err"
check "render: nothing outside was read" test ! -s "$TMP/out"

printf '{{>self}}' >"$W/rec.mustache"
"$DRGEN" render "$W/rec.mustache" --partials "$W/partials" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: endless recursion is reported, exit 2" test "$rc" -eq 2
check "render: recursion message" grep -q "nested deeper than" "$TMP/err"

printf '{"a": [1,}' >"$W/bad.json"
"$DRGEN" render "$W/plain.mustache" "$W/bad.json" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: bad JSON exits 2 with its position" sh -c "test $rc -eq 2 && grep -q 'bad.json:1:10: error' '$TMP/err'"

"$DRGEN" render >"$TMP/out" 2>"$TMP/err"
rc=$?
check "render: usage error exits 2" sh -c "test $rc -eq 2 && grep -q '^usage: drgen render' '$TMP/err'"
"$DRGEN" render --help >"$TMP/out" 2>&1
check "render: --help" grep -q -- "--partials DIR" "$TMP/out"

if [ -w /dev/full ]; then
	"$DRGEN" render "$W/plain.mustache" >/dev/full 2>"$TMP/err"
	check "render: write error exits 3" test $? -eq 3
fi

# ---- fuzzing -----------------------------------------------------------
if [ ! -x "$FUZZER" ]; then
	skip "fuzz_mustache: not built (needs clang)"
else
	mkdir -p "$TMP/seeds" "$TMP/corpus"
	[ -x "$RUNNER" ] && [ -d "$SPEC" ] && "$RUNNER" "$SPEC" --corpus "$TMP/seeds" >/dev/null 2>&1
	t=${MUSTACHE_FUZZ_SMOKE:-15}
	if "$FUZZER" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$TMP/" "$TMP/corpus" "$TMP/seeds" >"$TMP/fuzz.log" 2>&1; then
		ok "fuzz_mustache: ${t}s without crash, leak or hang ($(grep -o 'Done [0-9]* runs' "$TMP/fuzz.log"))"
	else
		fail "fuzz_mustache: see below"
		tail -30 "$TMP/fuzz.log"
		status=1
	fi
fi
rm -rf "$TMP"
exit $status
