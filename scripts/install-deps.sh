#!/usr/bin/env bash
# Installs the Debian packages custos needs to build and test, only those
# missing.  Safe to run repeatedly; a no-op on a machine that has them all.
set -euo pipefail
PKGS=(
  build-essential clang libclang-rt-14-dev clang-format clang-tidy cppcheck
  libyaml-dev libpcre2-dev libsimdjson-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
  python3 python3-jmespath python3-jsonschema python3-yaml python3-jsonpatch
  libmicrohttpd-dev libcmark-dev
  # zone files for the offhour/onhour filters (util/tzone.h)
  tzdata
  libssl-dev libxml2-dev python3-botocore
  # the collector's tests install moto and the AWS CLI into a venv where
  # they are not on PATH (tests/aws/aws_peer.py)
  python3-venv
  chromium fonts-dejavu-core
)
# Browser tests (tests/browser) run playwright-core on Node.js: use the
# machine's node/npm when it has them, else Debian's.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
