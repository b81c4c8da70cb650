#!/bin/sh
# A short run of every libFuzzer target (fuzz/fuzz_*.c, built by mk/fuzz.mk
# when clang is installed), seeded from the repository by fuzz/seeds.sh:
# FUZZ_SMOKE_SECONDS each (default 10).  `make fuzz` runs them for longer.
#
# fuzz_mustache is left to tests/suites/mustache_spec.sh, which already
# runs it (MUSTACHE_FUZZ_SMOKE seconds) with the specification as seeds.
. "$DRGEN_ROOT/tests/lib/suite.sh"
cd "$DRGEN_ROOT" || exit 1
t=${FUZZ_SMOKE_SECONDS:-10}
status=0
found=0
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	[ "$target" = mustache ] && continue
	found=1
	bin="build/fuzz/$name"
	if [ ! -x "$bin" ]; then
		if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
			fail "$name: $bin was not built"
			status=1
		else
			skip "$name: not built (needs clang)"
		fi
		continue
	fi
	seeds="$TMP/seeds-$target" corpus="$TMP/corpus-$target" log="$TMP/$target.log"
	mkdir -p "$corpus"
	SAMPLE=samples/kestrel sh fuzz/seeds.sh "$target" "$seeds" 2>>"$log"
	# libFuzzer's own status: 0 when nothing was found in the time given.
	if "$bin" -max_total_time="$t" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$TMP/$target-" "$corpus" "$seeds" >>"$log" 2>&1; then
		ok "$name: ${t}s without crash, leak, hang or broken property ($(grep -o 'Done [0-9]* runs' "$log"))"
	else
		fail "$name: see below; the input is kept in build/fuzz/smoke-$target-*"
		for a in "$TMP/$target-"*; do
			[ -f "$a" ] && cp "$a" "build/fuzz/smoke-$(basename "$a")"
		done
		grep -v -E '^#[0-9]+|^INFO:|^MS:|^Base64|^0x' "$log" | tail -40
		status=1
	fi
done
[ "$found" -eq 1 ] || skip "fuzz_smoke: no fuzz targets"
rm -rf "$TMP"
exit $status
