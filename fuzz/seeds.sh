#!/bin/sh
# fuzz/seeds.sh NAME DIR -- writes the seed corpus of fuzz/fuzz_NAME.c into
# DIR, from files of the repository (run from its root).  Used by `make
# fuzz-NAME` (mk/fuzz.mk) and tests/suites/fuzz_smoke.sh.
#
# Seeds are cut at 64 KiB: libFuzzer takes its length limit from the
# largest seed, and the parsers' behaviour on long inputs has its own
# tests (tests/suites/backups_pathological.sh, scale_smoke.sh).  Targets
# whose input starts with an option byte get it in front of each file.
# fuzz/regress/NAME/ holds inputs that once found a bug; they are always
# seeds, so the smoke run replays them.
#
# Environment: SAMPLE (default samples/kestrel), SHARED_DIR (default
# ../shared), for NAME=mustache MUSTACHE_SPEC_RUNNER (the spec runner) and
# MUSTACHE_SPEC_DIR (default $SHARED_DIR/mustache-spec).
set -eu
name=$1
dir=$2
SAMPLE=${SAMPLE:-samples/kestrel}
SHARED_DIR=${SHARED_DIR:-../shared}
mkdir -p "$dir"

# seed FILE [PREFIX]: FILE's first 64 KiB behind PREFIX, named after FILE.
seed() {
	[ -f "$1" ] || return 0
	out="$dir/$(printf '%s%s' "${2-}" "$1" | tr -c 'A-Za-z0-9._-' '_')"
	{ printf '%s' "${2-}"; head -c 65536 "$1"; } >"$out"
}
# lines FILE N PREFIX: the first N lines only.
lines() {
	[ -f "$1" ] || return 0
	out="$dir/$(printf '%s%s-%s' "$3" "$1" "$2" | tr -c 'A-Za-z0-9._-' '_')"
	{ printf '%s' "$3"; head -n "$2" "$1"; } >"$out"
}

case $name in
plan)
	seed "$SAMPLE/plan.json"
	for f in tests/*/*/plan.json; do seed "$f"; done
	;;
backups)
	# Option bytes: 'a' one thread, default chunks; 'i' chunks of 1 byte;
	# 'B' two threads and a second run with three (see fuzz_backups.c).
	for f in "$SAMPLE"/backups/*.ndjson tests/*/*/backups/*.ndjson; do
		lines "$f" 30 a
		lines "$f" 12 i
		lines "$f" 20 B
	done
	;;
import)
	# The option byte's low bits pick the importer (fuzz_import.c): 0 aws-backup,
	# 1 pgbackrest, 2 restic, 3 borg (8: with --tz), 4 velero, 5 azure-backup.
	for f in tests/import/fixtures/aws-*.json; do seed "$f" '0'; done
	for f in tests/import/fixtures/pgbackrest-*.json; do seed "$f" '1'; seed "$f" 'q'; done
	for f in tests/import/fixtures/restic-*.json; do seed "$f" '2'; done
	for f in tests/import/fixtures/borg-*.json; do seed "$f" '3'; seed "$f" ';'; done
	for f in tests/import/fixtures/velero-*.json; do seed "$f" '4'; done
	for f in tests/import/fixtures/azure-*.json; do seed "$f" '5'; done
	;;
jsonpos)
	for f in "$SAMPLE"/plan.json "$SAMPLE"/drills/*.json tests/bad/*/*.json \
		schema/*.json "$SHARED_DIR"/mustache-spec/*.json; do
		seed "$f"
	done
	lines "$SAMPLE/backups/restore-test-history.ndjson" 1 ''
	;;
markdown)
	for f in "$SAMPLE"/runbooks/*.md "$SAMPLE"/README.md README.md docs/*.md \
		tests/*/*/*.md tests/*/*/runbooks/*.md; do
		seed "$f" 1
	done
	;;
drills)
	for f in "$SAMPLE"/drills/*.json tests/*/*/drills/*.json; do seed "$f" 0; done
	for f in "$SAMPLE"/drills/*.xml tests/*/*/drills/*.xml; do seed "$f" 1; done
	;;
backstage)
	for f in tests/formats/backstage/*.yaml tests/import_backstage/*.yaml tests/import_backstage/*.json; do seed "$f"; done
	;;
mustache)
	# Every test of the specification, written by the spec runner.
	runner=${MUSTACHE_SPEC_RUNNER:-build/tools/mustache_spec}
	spec=${MUSTACHE_SPEC_DIR:-$SHARED_DIR/mustache-spec}
	if [ -x "$runner" ] && [ -d "$spec" ]; then
		"$runner" "$spec" --corpus "$dir" >/dev/null || true
	fi
	for f in templates/*.mustache templates/*/*.mustache; do seed "$f"; done
	;;
*)
	echo "fuzz/seeds.sh: no seeds for $name" >&2
	;;
esac

# Inputs that once broke a target, as they were found (option byte included).
for f in fuzz/regress/"$name"/*; do
	[ -f "$f" ] && cp "$f" "$dir/regress-$(basename "$f")"
done
exit 0
