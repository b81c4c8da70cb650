# Sourced by tests/suites/*.sh.  Prints TAP-like lines counted by run-tests.sh.
: "${DRGEN:?run through tests/run-tests.sh}"
TMP=$(mktemp -d "${TMPBASE:-/tmp}/suite.XXXXXX")
ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }
# check NAME COMMAND...: ok when the command exits 0.
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n"; fi; }
