#!/usr/bin/env bash
# Speed path benchmark (issue 6): `pinpipe stream --once` over N logged records
# (default 1,000,000; 2% bad rows, 1% replays) into PostgreSQL and into
# SQLite, exactly once: rows/s and peak RSS; the database's own ingest ceiling
# (psql \copy of the same cleaned rows into an empty table of the same
# schema) and our ratio to it; then end-to-end latency (commit - ingested_at)
# while `pinpipe emulate` posts 10,000 records/s through `pinpipe api`.
# Usage: bench/50-stream.sh BUILD_DIR   (env: STREAM_BENCH_RECORDS, STREAM_BENCH_RATE,
#        STREAM_BENCH_SECONDS, STREAM_BENCH_KEEP=1 keeps the work dir)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bin="$build/pinpipe"
records=${STREAM_BENCH_RECORDS:-1000000}
rate=${STREAM_BENCH_RATE:-10000}
seconds=${STREAM_BENCH_SECONDS:-20}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$pg_bin/pg_ctl" ]] || { echo "50-stream: PostgreSQL not installed (scripts/install-deps.sh --test)"; exit 1; }

work=$(mktemp -d /tmp/pinpipe-bench-stream-XXXXXX)
chmod 755 "$work"
pids=()
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  if [[ "${STREAM_BENCH_KEEP:-0}" != 1 ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:43.25" -> seconds
elapsed() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1"; }
peak_rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }

# --- PostgreSQL: a throwaway cluster with default durability (fsync on) ----
mkdir -p "$work/pg/sock"
if [[ $(id -u) -eq 0 ]]; then chown -R postgres "$work/pg"; fi
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
pg_port=$(free_port)
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w \
  -o "-p $pg_port -k $work/pg/sock -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start >/dev/null
psql_do() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psql_do -d postgres -c "CREATE DATABASE live" -c "CREATE DATABASE latency"
pg_url="postgresql://postgres@127.0.0.1:$pg_port/live"

# --- The log: N generated records ------------------------------------------
"$bin" gen --count "$records" --bad-rate 0.02 --seed 50 |
  "$bin" --data-dir "$work" --log-level warn log produce --sync never >/dev/null
echo "log: $records records ($(du -sm "$work/log" | cut -f1) MB), 4 partitions"

# --- stream --once into PostgreSQL and into SQLite --------------------------
run_stream() {  # name sink-url
  /usr/bin/time -v "$bin" --data-dir "$work" --log-level warn stream --once --sink "$2" \
    >"$work/$1.out" 2>"$work/$1.time"
  local s; s=$(elapsed "$work/$1.time")
  printf "stream --once -> %-10s %8.2f s  %9.0f records/s  peak RSS %s MB   (%s)\n" "$1" "$s" \
    "$(echo "$records / $s" | bc -l)" "$(peak_rss_mb "$work/$1.time")" "$(cat "$work/$1.out")"
  echo "$s"  >"$work/$1.seconds"
}
run_stream postgresql "$pg_url"
run_stream sqlite "sqlite:$work/live.db"
live_rows=$(psql_do -d live -c "SELECT count(*) FROM pins_live")
sqlite_rows=$(sqlite3 "$work/live.db" "SELECT count(*) FROM pins_live")
echo "pins_live rows: postgresql $live_rows, sqlite $sqlite_rows (same rows: $([[ $live_rows == "$sqlite_rows" ]] && echo yes || echo NO))"

# --- the database's own ceiling: \copy of the same cleaned rows -------------
psql_do -d live -c "\\copy pins_live TO '$work/rows.copy'"
psql_do -d live -c "CREATE TABLE pins_copy (LIKE pins_live INCLUDING ALL)" -c "CHECKPOINT"
start=$(date +%s.%N)
psql_do -d live -c "\\copy pins_copy FROM '$work/rows.copy'"
copy_s=$(echo "$(date +%s.%N) - $start" | bc -l)
copy_rate=$(echo "$live_rows / $copy_s" | bc -l)
pg_s=$(cat "$work/postgresql.seconds")
pg_rate=$(echo "$live_rows / $pg_s" | bc -l)
printf "psql \\\\copy of the same %s rows into an empty pins_live-shaped table: %.2f s  %.0f rows/s\n" \
  "$live_rows" "$copy_s" "$copy_rate"
printf "exactly-once stream vs \\\\copy (rows/s): %.0f / %.0f = %.2f   (target: >= 100000 rows/s into PostgreSQL)\n" \
  "$pg_rate" "$copy_rate" "$(echo "$pg_rate / $copy_rate" | bc -l)"

# --- end-to-end latency at a steady rate -------------------------------------
lat="$work/lat"
mkdir -p "$lat"
api_port=$(free_port)
metrics_port=$(free_port)
"$bin" --data-dir "$lat" --log-level warn api --listen "127.0.0.1:$api_port" 2>"$lat/api.log" &
pids+=($!)
"$bin" --data-dir "$lat" --log-level warn stream --sink "postgresql://postgres@127.0.0.1:$pg_port/latency" \
  --metrics-listen "127.0.0.1:$metrics_port" 2>"$lat/stream.log" &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$api_port/readyz" >/dev/null && curl -sf "http://127.0.0.1:$metrics_port/readyz" >/dev/null && break
  sleep 0.1
done
"$bin" emulate --target "http://127.0.0.1:$api_port" --rate "$rate" --duration "$seconds" --concurrency 64 \
  --bad-rate 0.02 --report-json "$lat/emulate.json" >"$lat/emulate.out" 2>&1 || true
metrics() { curl -sf "http://127.0.0.1:$metrics_port/metrics"; }
for _ in $(seq 300); do  # until the stream has caught up (all lag gauges 0)
  lag=$(metrics | awk '/^pinpipe_stream_lag_records/ {s+=$2} END {print s+0}')
  [[ "$lag" == 0 ]] && break
  sleep 0.1
done
metrics >"$lat/metrics.txt"
sent=$(jq -r '.accepted // .sent // empty' "$lat/emulate.json" 2>/dev/null || true)
achieved=$(jq -r '.records_per_second // .rate // empty' "$lat/emulate.json" 2>/dev/null || true)
# histogram_quantile as Prometheus computes it: linear within the bucket.
quantile() {
  awk -v q="$1" '
    /^pinpipe_stream_end_to_end_seconds_bucket/ {
      match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5);
      n++; bound[n] = (le == "+Inf") ? 1e9 : le + 0; count[n] = $NF + 0 }
    END {
      total = count[n]; if (total == 0) { print "nan"; exit }
      rank = q * total; prev_b = 0; prev_c = 0
      for (i = 1; i <= n; i++) {
        if (count[i] >= rank) {
          if (bound[i] >= 1e9) { printf "%.1f", prev_b * 1000; exit }
          printf "%.1f", (prev_b + (bound[i] - prev_b) * (rank - prev_c) / (count[i] - prev_c)) * 1000; exit }
        prev_b = bound[i]; prev_c = count[i] } }' "$lat/metrics.txt"
}
rows_e2e=$(awk '/^pinpipe_stream_end_to_end_seconds_count/ {print $NF}' "$lat/metrics.txt")
printf "end-to-end latency (commit - ingested_at) at %s records/s for %ss via api+emulate (accepted %s, emulator %s rec/s), %s rows: p50 %s ms  p99 %s ms   (target: p99 < 250 ms)\n" \
  "$rate" "$seconds" "${sent:-?}" "${achieved:-?}" "${rows_e2e:-0}" "$(quantile 0.5)" "$(quantile 0.99)"
grep -E 'sent|accepted|latency' "$lat/emulate.out" | tail -3 | sed 's/^/  emulate: /'
