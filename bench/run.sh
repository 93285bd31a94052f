#!/usr/bin/env bash
# `make bench`: runs every bench/NN-*.sh in order with the build dir as $1.
# Each script prints its measurements and the limit it is compared against.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
for script in "$here"/[0-9][0-9]-*.sh; do
  echo "== $(basename "$script")"
  bash "$script" "$build"
done
