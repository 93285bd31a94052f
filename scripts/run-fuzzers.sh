#!/usr/bin/env bash
# Runs every libFuzzer target in a fuzz build for a bounded time each, from
# its seed corpus in fuzz/corpus/<target>, PARALLEL targets at a time (default:
# the number of cores). Fails on any crash, leak or sanitizer report.
#   Usage: run-fuzzers.sh BUILD_DIR SECONDS_PER_TARGET [PARALLEL]
set -euo pipefail
build=$1
seconds=$2
parallel=${3:-$(nproc)}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/pinpipe-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz/artifacts"  # crashing inputs are kept here, to reproduce with the target
mkdir -p "$artifacts"
shopt -s nullglob
targets=("$build"/fuzz/fuzz_*)
if ((${#targets[@]} == 0)); then echo "run-fuzzers: no fuzz targets in $build/fuzz" >&2; exit 1; fi

# One target; its verdict goes to $work/<name>.ok or $work/<name>.failed.
fuzz_one() {
  local t=$1 name corpus seeds=()
  name=$(basename "$t")
  corpus="$work/$name"
  mkdir -p "$corpus"
  if [[ -d "$root/fuzz/corpus/$name" ]]; then seeds=("$root/fuzz/corpus/$name"); fi
  if ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$name-" "$corpus" "${seeds[@]}" >"$work/$name.log" 2>&1; then
    touch "$work/$name.ok"
  else
    touch "$work/$name.failed"
  fi
}

running=0
for t in "${targets[@]}"; do
  [[ -x "$t" ]] || continue
  echo "fuzz: $(basename "$t") for ${seconds}s"
  fuzz_one "$t" &
  running=$((running + 1))
  if ((running >= parallel)); then wait -n || true; running=$((running - 1)); fi
done
wait || true

passed=0
failed=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  if [[ -e "$work/$name.ok" ]]; then
    passed=$((passed + 1))
    echo "fuzz: $name $(grep -E "^Done" "$work/$name.log" | tail -1)"
  else
    failed=$((failed + 1))
    echo "fuzz: $name FAILED" >&2
    tail -60 "$work/$name.log" >&2
  fi
done
echo "fuzz: $passed targets clean, $failed with findings"
((failed == 0))
