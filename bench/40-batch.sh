#!/usr/bin/env bash
# The batch path end to end on the embedded defaults: 1M generated records
# into the log, `pinpipe land --once` (log -> lake raw zone: records/s,
# compressed bytes per record), then `pinpipe batch` of that day into SQLite
# (records/s, peak RSS): three first loads into a new warehouse, then three
# re-runs that replace the date, each kind judged by its median (one run is
# at the mercy of a noisy host). Target: batch >= 250,000 records/s on 2
# cores with peak RSS < 512 MB.
#   bench/40-batch.sh BUILD_DIR      (PINPIPE_BENCH_BATCH_COUNT overrides 1000000)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin="$build/pinpipe"
count=${PINPIPE_BENCH_BATCH_COUNT:-1000000}
work=$(mktemp -d /tmp/pinpipe-bench-batch.XXXXXX)
trap 'rm -rf "$work"' EXIT
pp() { "$bin" --data-dir "$work/data" --log-level warn "$@"; }

# Wall seconds from /usr/bin/time's "h:mm:ss" or "m:ss.ss".
to_seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
wall_of() { grep "Elapsed (wall clock)" "$1" | awk '{print $NF}' | to_seconds; }
rss_mb_of() { grep "Maximum resident set size" "$1" | awk '{printf "%d", $NF / 1024}'; }
cpu_of() { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1"; }

"$bin" gen --count "$count" --seed 42 >"$work/raw.ndjson"
raw_bytes=$(stat -c %s "$work/raw.ndjson")
pp log produce --sync never <"$work/raw.ndjson" >/dev/null 2>&1
# A fixed single-core task timed at the start and the end: a shared host's
# speed drifts by a third over minutes, and this says how fast it ran.
head -c 100000000 "$work/raw.ndjson" >"$work/reference.ndjson"
rm -f "$work/raw.ndjson"
reference_speed() {
  zstd -b1 -i2 "$work/reference.ndjson" 2>&1 | tr '\r' '\n' | grep 'MB/s, ' | tail -1 | awk -F', ' '{sub(/^ */, "", $2); print $2}'
}
reference_start=$(reference_speed)
echo "input: $count records, $((raw_bytes / 1000000)) MB of raw NDJSON in the log, $(nproc) cores"

sync  # the log's pages, written with --sync never, are not land's to flush
/usr/bin/time -v "$bin" --data-dir "$work/data" --log-level warn land --once >"$work/land.out" 2>"$work/land.err"
land_wall=$(wall_of "$work/land.err")
land_cpu=$(cpu_of "$work/land.err")
lake_bytes=$(find "$work/data/lake/raw" -name '*.ndjson.zst' -printf '%s\n' | awk '{s += $1} END {print s}')
awk -v n="$count" -v s="$land_wall" -v b="$lake_bytes" -v r="$raw_bytes" -v m="$(rss_mb_of "$work/land.err")" 'BEGIN {
  printf "land --once: %.2f s, %.0f records/s, %.1f compressed bytes/record (raw %.0f bytes/record, %.1fx), peak RSS %d MB\n",
    s, n / s, b / n, r / n, r / b, m }'
echo "land CPU: ${land_cpu} s (user+sys); machine load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# The day with the most landed records (all of them unless the run crossed midnight UTC).
date=$(ls "$work/data/lake/raw/pins" | sed 's/^dt=//' | while read -r d; do
  printf '%s %s\n' "$(find "$work/data/lake/raw/pins/dt=$d" -name '*.zst' | wc -l)" "$d"; done | sort -rn | head -1 | cut -d' ' -f2)

first_rates=()
rerun_rates=()
max_rss=0
for run in first-load-1 first-load-2 first-load-3 re-run-1 re-run-2 re-run-3; do
  if [[ $run == first-load-* ]]; then rm -rf "$work/data/warehouse.db"* "$work/data/lake/clean"; fi
  # The steps before leave hundreds of MB for the kernel to write back;
  # flush them first so that I/O is not counted against the batch.
  sync
  /usr/bin/time -v "$bin" --data-dir "$work/data" --log-level info batch --date "$date" --no-progress \
    >"$work/batch.out" 2>"$work/batch.err" || { cat "$work/batch.err"; exit 1; }
  wall=$(wall_of "$work/batch.err")
  rss=$(rss_mb_of "$work/batch.err")
  cpu=$(cpu_of "$work/batch.err")
  raw=$(grep "raw records" "$work/batch.out" | awk '{gsub(",", "", $3); print $3}')
  rate=$(awk -v n="$raw" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
  phases=$(grep -o 'load_s=[0-9.]* commit_s=[0-9.]* clean_zone_s=[0-9.]*' "$work/batch.err" || true)
  echo "batch ($run): $raw records in ${wall} s = $rate records/s, CPU ${cpu} s (user+sys)," \
    "peak RSS $rss MB; $phases"
  if [[ $run == first-load-* ]]; then first_rates+=("$rate"); else rerun_rates+=("$rate"); fi
  if ((rss > max_rss)); then max_rss=$rss; fi
done
sed 's/^/  /' "$work/batch.out"
echo "warehouse: $(($(stat -c %s "$work/data/warehouse.db") / 1000000)) MB; clean zone:" \
  "$(($(find "$work/data/lake/clean" -name '*.zst' -printf '%s\n' | awk '{s += $1} END {print s}') / 1000000)) MB"

echo "host reference (zstd -1 of 100 MB of the raw NDJSON, one core): $reference_start at the start," \
  "$(reference_speed) at the end"
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
first_median=$(median "${first_rates[@]}")
rerun_median=$(median "${rerun_rates[@]}")
verdict() { if (($1 < 250000 || max_rss >= 512)); then echo FAIL; else echo PASS; fi; }
echo "limit: batch >= 250000 records/s (2 cores) with peak RSS < 512 MB: first loads ${first_rates[*]}" \
  "records/s, median $first_median, max RSS $max_rss MB -> $(verdict "$first_median")"
echo "the same limit for re-runs (they also replace the date's old rows): ${rerun_rates[*]} records/s," \
  "median $rerun_median -> $(verdict "$rerun_median")"
