#!/usr/bin/env bash
# Installs the Debian packages pinpipe needs, idempotently: when everything is
# already there it only asks dpkg and returns in well under a second.
#   scripts/install-deps.sh          build + run (make demo)
#   scripts/install-deps.sh --test   also the real services the tests start
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config ccache
  libsimdjson-dev libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev
  libboost-dev libabsl-dev librdkafka-dev libpq-dev libsqlite3-dev libcurl4-openssl-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  sqlite3 zstd jq
)
test_pkgs=(
  clang libclang-rt-14-dev llvm
  postgresql kcat prometheus wrk nginx-light
  maven openjdk-17-jre-headless time
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
