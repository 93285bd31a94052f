#!/usr/bin/env bash
# `make demo-clean`: the cleaning core on its own. Generates 100,000 realistic
# raw pins, cleans them, and prints records in/out, rejects by reason, nulls
# per field and throughput.
#   scripts/demo-clean.sh PATH/TO/pinpipe
set -euo pipefail
bin=${1:?usage: scripts/demo-clean.sh PATH/TO/pinpipe}
[[ -x "$bin" ]] || { echo "demo: $bin is not an executable (build first: make build)" >&2; exit 1; }
work=$(mktemp -d /tmp/pinpipe-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== 1. pinpipe gen: 100,000 raw pins (2% deliberately broken) -> $work/raw.ndjson"
"$bin" gen --count 100000 --seed 1 --bad-rate 0.02 >"$work/raw.ndjson"
echo "   $(wc -l <"$work/raw.ndjson") lines, $(($(stat -c %s "$work/raw.ndjson") / 1000000)) MB; one of them:"
sed -n 4p "$work/raw.ndjson" | cut -c1-300 | sed 's/^/   /'

echo "== 2. pinpipe clean: raw -> clean + rejects"
"$bin" clean --input "$work/raw.ndjson" --output "$work/clean.ndjson" --rejects "$work/rejects.ndjson" \
  2>"$work/summary.txt"
sed 's/^clean: /   /' "$work/summary.txt"
echo "   the same record, clean:"
grep -m1 "\"ind\":3," "$work/clean.ndjson" | cut -c1-300 | sed 's/^/   /' || true
echo "   a reject:"
head -1 "$work/rejects.ndjson" | cut -c1-300 | sed 's/^/   /'

clean_lines=$(wc -l <"$work/clean.ndjson")
reject_lines=$(wc -l <"$work/rejects.ndjson")
if ((clean_lines + reject_lines != 100000)); then
  echo "demo: FAILED: $clean_lines clean + $reject_lines rejects != 100000 records" >&2
  exit 1
fi
echo "== demo OK: $clean_lines clean records, $reject_lines rejects"
