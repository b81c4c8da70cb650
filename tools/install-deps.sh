#!/bin/sh
# Installs the Debian packages drgen needs to build and test, if missing.
# Uses sudo when not root.  Quiet when everything is already there.
set -eu

# weasyprint renders --format pdf; poppler-utils (pdfinfo, pdftotext, pdfdetach)
# is what the PDF tests read it with; tzdata holds the zones `import --tz`
# accepts by name.
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in build-essential pkg-config libxml2-dev libcmark-dev libcjson-dev \
         liblua5.4-dev libssl-dev libyajl-dev libyaml-dev libcmocka-dev clang libclang-rt-14-dev jq \
         libxml2-utils python3 python3-jsonschema python3-regex openssl \
         weasyprint poppler-utils tzdata; do
	have_pkg "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0

echo "drgen: installing missing packages:$need" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "drgen: need root or sudo to install:$need" >&2; exit 3; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
