#!/usr/bin/env bash
# Runs every libFuzzer target in a fuzz build for a bounded time each, from
# its seed corpus in fuzz/corpus/<target>. Fails on any crash, leak or
# sanitizer report.  Usage: run-fuzzers.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/pinpipe-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if ((${#targets[@]} == 0)); then echo "run-fuzzers: no fuzz targets in $build/fuzz" >&2; exit 1; fi
passed=0
failed=0
for t in "${targets[@]}"; do
  [[ -x "$t" ]] || continue
  name=$(basename "$t")
  corpus="$work/$name"
  mkdir -p "$corpus"
  seeds=()
  if [[ -d "$root/fuzz/corpus/$name" ]]; then seeds=("$root/fuzz/corpus/$name"); fi
  echo "fuzz: $name for ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -artifact_prefix="$work/" "$corpus" "${seeds[@]}" >"$work/$name.log" 2>&1; then
    passed=$((passed + 1))
    grep -E "^Done|stat::number_of_executed_units" "$work/$name.log" | tail -1 || true
  else
    failed=$((failed + 1))
    echo "fuzz: $name FAILED" >&2
    tail -60 "$work/$name.log" >&2
  fi
done
echo "fuzz: $passed targets clean, $failed with findings"
((failed == 0))
