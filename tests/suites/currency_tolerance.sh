# Backup currency at its boundaries (issue 13): the replication-lag
# tolerance (15 minutes, lua/tiers.lua) floors RPO 0 only and never loosens
# an RPO above zero.  The small plan's payments-db (tier 1, RPO 0),
# orders-db (tier 2, RPO 5) and catalog-db (tier 3, RPO 60) each get one
# successful copy exactly R, R + 1 s, 2R and 2R + 1 s before as-of, where R
# is the RPO (the tolerance for RPO 0).  Checked in results.json (analysis),
# the backup_stale finding's words, and the ISO 22301 8.3 currency check.
. "$DRGEN_ROOT/tests/lib/suite.sh"
command -v jq >/dev/null || { skip "currency tolerance: jq not installed"; exit 0; }
SRC="$DRGEN_ROOT/tests/golden/small-plan"
ASOF=2026-11-01T00:00:00Z
BASE=$(date -u -d "$ASOF" +%s)
jqe() { jq -e "$@" >/dev/null; }

# build CASE: plan with each store's only success at AGE(store) before as-of.
build() {
	c=$1 d="$TMP/$1"
	mkdir -p "$d/backups"
	cp -R "$SRC/drills" "$SRC/runbooks" "$d/"
	jq '.compliance.frameworks = ["iso22301"]' "$SRC/plan.json" >"$d/plan.json"
	n=0
	for row in payments-db:15 orders-db:5 catalog-db:60 reports-files:1440; do
		ds=${row%%:*} r=$(( ${row#*:} * 60 ))
		case $c in
		r) age=$r ;; r1) age=$((r + 1)) ;; r2) age=$((2 * r)) ;; r21) age=$((2 * r + 1)) ;;
		esac
		[ "$ds" = reports-files ] && age=60
		at=$(date -u -d "@$((BASE - age))" +%Y-%m-%dT%H:%M:%SZ)
		n=$((n + 1))
		printf '{"id":"c-%d","datastore":"%s","type":"full","started":"%s","finished":"%s","status":"success","bytes":1024,"location":"secondary","region":"eu-central-1","encryption":"aes-256-gcm","compression":"zstd","immutable":false,"retention_days":30,"verification":"checksum","verified_ok":true}\n' \
			"$n" "$ds" "$at" "$at" >>"$d/backups/2026-10.ndjson"
	done
	"$DRGEN" build "$d" -o "$TMP/out-$c" --period 2026-10 --as-of "$ASOF" -q 2>"$d/err"
	check "currency case $c: the plan builds" test $? -eq 0
	R="$TMP/out-$c/evidence/results.json"
}

# cur CASE DATASTORE EXPECTED
cur() {
	got=$(jq -r --arg id "$2" '.datastores[] | select(.id == $id) | .currency' "$R")
	if [ "$got" = "$3" ]; then ok "currency case $1: $2 is $3"; else fail "currency case $1: $2 is $3 (got $got)"; fi
}

build r
cur r payments-db ok; cur r orders-db ok; cur r catalog-db ok
check "case r: no backup_stale finding" jqe '[.findings[] | select(.kind == "backup_stale")] | length == 0' "$R"

build r1
cur r1 payments-db late; cur r1 orders-db late; cur r1 catalog-db late
check "case r1: the RPO 0 finding names the tolerance, not the RPO" jqe '
	.findings[] | select(.kind == "backup_stale" and .subject == "payments-db")
	| (.message | test("RPO 0 minutes, judged with the replication-lag tolerance of 15 minutes \\(late\\)$"))
	  and (.recommendation | test("the replication-lag tolerance allows 15 minutes$"))' "$R"
check "case r1: the RPO 5 finding allows 5 minutes, not the tolerance" jqe '
	.findings[] | select(.kind == "backup_stale" and .subject == "orders-db")
	| (.message | test("beyond its RPO of 5 minutes \\(late\\)$"))
	  and (.recommendation | test("the RPO allows 5 minutes$"))' "$R"
check "case r1: no finding says an RPO of 0 minutes allows more" sh -c \
	'! jq -r ".findings[] | .message + \" \" + .recommendation" "$1" | grep -q "RPO of 0 minutes\|RPO allows 15"' _ "$R"
check "case r1: the ISO 22301 currency check judges orders-db against 5 minutes" jqe '
	.controls[] | select(.framework == "iso22301" and .control == "8.3") | .reason
	| test("orders-db[^;]*newest copy 5 minutes 1 second old against an RPO of 5 minutes \\(late\\)")
	  and test("payments-db[^;]*newest copy 15 minutes 1 second old against an RPO of 0 minutes, judged with the replication-lag tolerance of 15 minutes \\(late\\)")' "$R"
check "case r1: the stale finding does not round the age onto the RPO" jqe '
	.findings[] | select(.kind == "backup_stale" and .subject == "orders-db")
	| .message == "newest backup of orders-db is 5 minutes 1 second old, beyond its RPO of 5 minutes (late)"' "$R"

build r2
cur r2 payments-db late; cur r2 orders-db late; cur r2 catalog-db late

build r21
cur r21 payments-db stale; cur r21 orders-db stale; cur r21 catalog-db stale
