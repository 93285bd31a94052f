#!/usr/bin/env bash
# The embedded log (bus/log) against the disk it runs on, in one run:
#   the disk's own limits (sequential write, fsync'd sequential write, fsyncs/s),
#   durable appends (sync=always) in batches of 1, 100 and 1000 ~640-byte records,
#   64 concurrent single-record producers (64 blocking threads; and 64
#   appends kept in flight from callbacks, the way the API's event loop
#   produces), append->durable latency at 100k records/s, and sequential
#   read throughput. Topics have the product's default partitions (2).
# Targets: batched durable appends >= 0.5 x the disk's fsync'd sequential
# bandwidth; 64 concurrent single-record producers >= 100,000 appends/s.
#   bench/20-log.sh BUILD_DIR      (seconds per step: PINPIPE_BENCH_LOG_SECONDS, default 3)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin=$build/bench/log_append_bench
secs=${PINPIPE_BENCH_LOG_SECONDS:-3}
[[ -x $bin ]] || { echo "20-log: $bin is missing: build target log_append_bench"; exit 1; }
work=$(mktemp -d /tmp/pinpipe-bench-log-XXXXXX)
trap 'rm -rf "$work"' EXIT

field() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
rss_mb() { awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/time"; }
# run MODE ARGS...: one step on a fresh log directory; prints its result line.
run() {
  local mode=$1; shift
  rm -rf "$work/log"; mkdir -p "$work/log"
  /usr/bin/time -v -o "$work/time" "$bin" "$mode" --dir "$work/log" --seconds "$secs" "$@" || echo "failed=1"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), data in $work ($(df -h --output=source "$work" | tail -1))"
disk=$(run disk)
seq=$(field seq_write_mb_s "$disk"); fs1m=$(field fsynced_seq_1m_mb_s "$disk"); fs640k=$(field fsynced_seq_640k_mb_s "$disk")
fsyncs=$(field fsyncs_per_s "$disk"); fsyncs4=$(field fsyncs_per_s_4files "$disk")
printf 'disk: sequential write %.0f MB/s; write+fdatasync per 1 MiB %.0f MB/s, per 640 kB %.0f MB/s; fdatasyncs/s %.0f (one file), %.0f (4 files at once)\n' \
  "$seq" "$fs1m" "$fs640k" "$fsyncs" "$fsyncs4"
disk_bw=$(echo "if ($fs1m > $fs640k) $fs1m else $fs640k" | bc -l)

best_mb=0
for batch in 1 100 1000; do
  line=$(run append --batch "$batch")
  rps=$(field records_s "$line"); mbs=$(field mb_s "$line")
  printf 'durable appends, batch %4d: %9.0f records/s %7.1f MB/s  (%s appends in flight, %s CPU s, peak RSS %s MB)\n' \
    "$batch" "$rps" "$mbs" "$(field inflight "$line")" "$(field cpu_s "$line")" "$(rss_mb)"
  if (( $(echo "$mbs > $best_mb" | bc -l) )); then best_mb=$mbs; fi
done
ratio=$(echo "$best_mb / $disk_bw" | bc -l)
printf 'batched appends vs the disk: %.1f MB/s / %.1f MB/s = %.2f (target >= 0.50): %s\n' "$best_mb" "$disk_bw" "$ratio" \
  "$( (( $(echo "$ratio >= 0.5" | bc -l) )) && echo PASS || echo MISS)"

line=$(run handoff --threads 64)
h_rps=$(field handoffs_s "$line")
printf 'machine ceiling for 64 blocking threads (hand a request to a thread, wait for its answer, no I/O): %.0f/s (%s CPU s)\n' \
  "$h_rps" "$(field cpu_s "$line")"
line=$(run concurrent --threads 64)
c_rps=$(field records_s "$line")
printf '64 concurrent single-record producers, one blocking thread each: %.0f durable appends/s (target >= 100000): %s  (%.2f of the ceiling above; %s CPU s in %s s, peak RSS %s MB)\n' \
  "$c_rps" "$( (( $(echo "$c_rps >= 100000" | bc -l) )) && echo PASS || echo MISS)" "$(echo "$c_rps / $h_rps" | bc -l)" \
  "$(field cpu_s "$line")" "$secs" "$(rss_mb)"
line=$(run inflight --threads 64)
i_rps=$(field records_s "$line")
printf '64 concurrent single-record producers in flight (each appends its next record from the callback of its last, as the API does; no thread per producer): %.0f durable appends/s (target >= 100000): %s  (%s CPU s in %s s, peak RSS %s MB)\n' \
  "$i_rps" "$( (( $(echo "$i_rps >= 100000" | bc -l) )) && echo PASS || echo MISS)" "$(field cpu_s "$line")" "$secs" "$(rss_mb)"

line=$(run latency --rate 100000)
printf 'append->durable latency at %s records/s (achieved %s): p50 %s ms, p90 %s ms, p99 %s ms, p99.9 %s ms, max %s ms (%s rejected)\n' \
  "$(field target_rate "$line")" "$(field achieved_rate "$line")" "$(field p50_ms "$line")" "$(field p90_ms "$line")" \
  "$(field p99_ms "$line")" "$(field p999_ms "$line")" "$(field max_ms "$line")" "$(field errors "$line")"

rm -rf "$work/log"; mkdir -p "$work/log"
"$bin" append --dir "$work/log" --seconds "$secs" --batch 1000 > /dev/null
/usr/bin/time -v -o "$work/time" "$bin" read --dir "$work/log" > "$work/read"
line=$(cat "$work/read")
printf 'sequential read (page cache warm): %.0f records/s, %.1f MB/s, %s records, %s CPU s (peak RSS %s MB)\n' \
  "$(field records_s "$line")" "$(field mb_s "$line")" "$(field records "$line")" "$(field cpu_s "$line")" "$(rss_mb)"
