#!/usr/bin/env bash
# `pinpipe clean` end to end: generate 1M raw records to a file, clean them
# file to file (3 runs), and print records/s, MB/s and peak RSS next to the
# parse-only ceiling (a simdjson pass touching every field, same file, every
# core) and the limits.
#   bench/10-clean.sh BUILD_DIR        (PINPIPE_BENCH_CLEAN_COUNT overrides 1000000)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin="$build/pinpipe"
count=${PINPIPE_BENCH_CLEAN_COUNT:-1000000}
cores=$(nproc)
work=$(mktemp -d /tmp/pinpipe-bench-clean.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bin" gen --count "$count" --seed 1 >"$work/raw.ndjson"
bytes=$(stat -c %s "$work/raw.ndjson")
cat "$work/raw.ndjson" >/dev/null  # page cache: measure cleaning, not the disk
echo "input: $count records, $((bytes / 1000000)) MB ($work/raw.ndjson), $cores cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Wall seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss".
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }

best_rate=0
best_cpu_rate=0
best_rss=0
for run in 1 2 3; do
  rm -f "$work/clean.ndjson" "$work/rejects.ndjson"
  /usr/bin/time -v "$bin" clean --input "$work/raw.ndjson" --output "$work/clean.ndjson" \
    --rejects "$work/rejects.ndjson" 2>"$work/clean.err"
  wall=$(grep "Elapsed (wall clock)" "$work/clean.err" | awk '{print $NF}' | to_seconds)
  rss_kb=$(grep "Maximum resident set size" "$work/clean.err" | awk '{print $NF}')
  out_lines=$(wc -l <"$work/clean.ndjson")
  cpu=$(awk '/User time|System time/ { s += $NF } END { print s }' "$work/clean.err")
  rate=$(awk -v n="$count" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
  mbps=$(awk -v b="$bytes" -v s="$wall" 'BEGIN { printf "%.1f", b / 1e6 / s }')
  # What the same CPU work gives when the job has every core to itself (a
  # shared machine hands it less; the load average above says how busy it is).
  cpu_rate=$(awk -v n="$count" -v c="$cpu" -v k="$cores" 'BEGIN { printf "%.0f", n * k / c }')
  echo "clean run $run: ${wall} s, $rate records/s, $mbps MB/s, peak RSS $((rss_kb / 1024)) MB," \
    "$out_lines clean lines; ${cpu} s CPU (user+sys) = $cpu_rate records/s on $cores idle cores"
  if ((rate > best_rate)); then best_rate=$rate; fi
  if ((cpu_rate > best_cpu_rate)); then best_cpu_rate=$cpu_rate; fi
  if ((rss_kb > best_rss)); then best_rss=$rss_kb; fi
done
grep "^clean: records in" "$work/clean.err"

parse_json=$("$build/bench/parse_only_bench" --benchmark_filter="BM_ParseOnly/real_time/threads:$cores\$" \
  --benchmark_format=json "$work/raw.ndjson" 2>/dev/null)
parse_rate=$(echo "$parse_json" | grep -o '"items_per_second": [0-9.e+]*' | head -1 | awk '{printf "%.0f", $2}')
echo "parse-only limit (simdjson DOM, every field, $cores threads, file in memory): $parse_rate records/s"
awk -v e="$best_rate" -v p="$parse_rate" 'BEGIN { printf "end to end / parse-only: %.2f\n", e / p }'

verdict=PASS
if ((best_rate < 1000000 || best_rss >= 128 * 1024)); then verdict=FAIL; fi
echo "limit: >= 1000000 records/s end to end (2 cores) with peak RSS < 128 MB:" \
  "best $best_rate records/s measured ($best_cpu_rate by CPU time), max RSS $((best_rss / 1024)) MB -> $verdict"
