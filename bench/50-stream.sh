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

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start (numbers below are wall-clock)"
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
psql_do -d postgres -c "CREATE DATABASE live"
pg_url="postgresql://postgres@127.0.0.1:$pg_port/live"
# CPU seconds the cluster has used: live server processes plus the backends
# the postmaster has reaped (its children's times). Less sensitive than wall
# time to what else runs on the machine.
pg_cpu() {
  local pm t=0 f; pm=$(head -1 "$work/pg/data/postmaster.pid")
  for p in $pm $(pgrep -P "$pm"); do
    read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
    t=$((t + f[13] + f[14]))
  done
  read -r -a f <"/proc/$pm/stat"
  echo "scale=2; ($t + ${f[15]} + ${f[16]}) / $(getconf CLK_TCK)" | bc
}
client_cpu() { awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u + s}' "$1"; }

# --- The log: N generated records ------------------------------------------
"$bin" gen --count "$records" --bad-rate 0.02 --seed 50 |
  "$bin" --data-dir "$work" --log-level warn log produce --sync never >/dev/null
echo "log: $records records ($(du -sm "$work/log" | cut -f1) MB), $("$bin" --data-dir "$work" log describe | head -1)"

# --- stream --once into PostgreSQL and into SQLite --------------------------
run_stream() {  # name sink-url [stream flags...]
  local name=$1 url=$2 before after
  shift 2
  [[ "$name" == postgresql ]] && psql_do -d live -c "CHECKPOINT" && before=$(pg_cpu)
  /usr/bin/time -v "$bin" --data-dir "$work" --log-level warn stream --once --sink "$url" "$@" \
    >"$work/$name.out" 2>"$work/$name.time"
  local s; s=$(elapsed "$work/$name.time")
  printf "stream --once -> %-10s %8.2f s  %9.0f records/s  peak RSS %s MB  client CPU %s s   (%s)\n" "$name $*" "$s" \
    "$(echo "$records / $s" | bc -l)" "$(peak_rss_mb "$work/$name.time")" "$(client_cpu "$work/$name.time")" \
    "$(cat "$work/$name.out")"
  echo "$s" >"$work/$name.seconds"
  if [[ "$name" == postgresql ]]; then
    psql_do -d live -c "CHECKPOINT"
    after=$(pg_cpu)
    echo "$after - $before" | bc >"$work/pg_stream.cpu"
  fi
}
run_stream postgresql "$pg_url"
# The same with one connection (the default is two, committing different
# partitions at once), into a fresh database.
psql_do -d postgres -c "CREATE DATABASE live_one"
run_stream postgresql_one "postgresql://postgres@127.0.0.1:$pg_port/live_one" --connections 1
run_stream sqlite "sqlite:$work/live.db"
live_rows=$(psql_do -d live -c "SELECT count(*) FROM pins_live")
sqlite_rows=$(sqlite3 "$work/live.db" "SELECT count(*) FROM pins_live")
echo "pins_live rows: postgresql $live_rows, sqlite $sqlite_rows (same rows: $([[ $live_rows == "$sqlite_rows" ]] && echo yes || echo NO))"

# --- the database's own ceiling: \copy of the same cleaned rows -------------
psql_do -d live -c "\\copy pins_live TO '$work/rows.copy'"
psql_do -d live -c "CREATE TABLE pins_copy (LIKE pins_live INCLUDING ALL)" -c "CHECKPOINT"
before=$(pg_cpu)
start=$(date +%s.%N)
psql_do -d live -c "\\copy pins_copy FROM '$work/rows.copy'"
copy_s=$(echo "$(date +%s.%N) - $start" | bc -l)
psql_do -d live -c "CHECKPOINT"
copy_cpu=$(echo "$(pg_cpu) - $before" | bc)
copy_rate=$(echo "$live_rows / $copy_s" | bc -l)
pg_s=$(cat "$work/postgresql.seconds")
pg_rate=$(echo "$live_rows / $pg_s" | bc -l)
stream_cpu=$(cat "$work/pg_stream.cpu")
stream_client_cpu=$(client_cpu "$work/postgresql.time")
printf "psql \\copy of the same %s rows into an empty pins_live-shaped table: %.2f s  %.0f rows/s  (server CPU %s s)\n" \
  "$live_rows" "$copy_s" "$copy_rate" "$copy_cpu"
printf "wall clock: exactly-once stream vs \\copy (rows/s): %.0f / %.0f = %.2f   (target: >= 100000 rows/s into PostgreSQL; \\copy does ~160000 on an idle machine)\n" \
  "$pg_rate" "$copy_rate" "$(echo "$pg_rate / $copy_rate" | bc -l)"
# Server work per row (all the stream's connections together) against \copy's.
printf "CPU time: stream server %s s (all connections) + client %s s vs \\copy server %s s; server-CPU ratio %.2f; rows per server-CPU second: stream %.0f, \\copy %.0f\n" \
  "$stream_cpu" "$stream_client_cpu" "$copy_cpu" "$(echo "$copy_cpu / $stream_cpu" | bc -l)" \
  "$(echo "$live_rows / $stream_cpu" | bc -l)" "$(echo "$live_rows / $copy_cpu" | bc -l)"

# --- end-to-end latency at a steady rate -------------------------------------
metrics() { curl -sf "http://127.0.0.1:$1/metrics"; }
wait_caught_up() {  # metrics-port: until every lag gauge is 0
  for _ in $(seq 600); do
    lag=$(metrics "$1" | awk '/^pinpipe_stream_lag_records/ {s+=$2} END {print s+0}')
    [[ "$lag" == 0 ]] && return 0
    sleep 0.1
  done
}
# histogram_quantile as Prometheus computes it: linear within the bucket.
quantile() {  # q metrics-file
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
        prev_b = bound[i]; prev_c = count[i] } }' "$2"
}
start_stream() {  # data-dir database metrics-port
  psql_do -d postgres -c "CREATE DATABASE $2"
  "$bin" --data-dir "$1" --log-level warn stream --sink "postgresql://postgres@127.0.0.1:$pg_port/$2" \
    --metrics-listen "127.0.0.1:$3" 2>"$1/stream.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && break; sleep 0.1; done
}
report_latency() {  # id label metrics-port
  wait_caught_up "$3"
  metrics "$3" >"$work/$1.metrics"
  local rows; rows=$(awk '/^pinpipe_stream_end_to_end_seconds_count/ {print $NF}' "$work/$1.metrics")
  printf "end-to-end latency (commit - ingested_at), %s: %s rows, p50 %s ms  p99 %s ms   (target: p99 < 250 ms)\n" \
    "$2" "${rows:-0}" "$(quantile 0.5 "$work/$1.metrics")" "$(quantile 0.99 "$work/$1.metrics")"
}

# (a) as users post: `pinpipe api` (fsync per group commit) fed by `pinpipe emulate`.
lat="$work/lat"
mkdir -p "$lat"
api_port=$(free_port)
metrics_port=$(free_port)
"$bin" --data-dir "$lat" --log-level warn api --listen "127.0.0.1:$api_port" 2>"$lat/api.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$api_port/readyz" >/dev/null && break; sleep 0.1; done
start_stream "$lat" latency "$metrics_port"
"$bin" emulate --target "http://127.0.0.1:$api_port" --rate "$rate" --duration "$seconds" --concurrency 64 \
  --bad-rate 0.02 >"$lat/emulate.out" 2>&1 || true
report_latency api "api+emulate at $rate records/s for ${seconds}s" "$metrics_port"
grep -E 'req/s|latency ms' "$lat/emulate.out" | tail -2 | sed 's/^ */  emulate: /'

# (b) the stream alone: records appended straight to the log at the same
# rate (lighter than HTTP, so the stream's own latency shows).
paced="$work/paced"
mkdir -p "$paced"
metrics_port=$(free_port)
start_stream "$paced" paced "$metrics_port"
"$bin" gen --count $((rate * seconds)) --bad-rate 0.02 --seed 51 >"$paced/raw.ndjson"
python3 - "$rate" "$paced/raw.ndjson" <<'PY' | "$bin" --data-dir "$paced" --log-level warn log produce --batch 100 >/dev/null
import sys, time
rate, path = int(sys.argv[1]), sys.argv[2]
lines = open(path, "rb").readlines()
step = max(1, rate // 100)  # 100 writes per second
t = time.monotonic()
for i in range(0, len(lines), step):
    sys.stdout.buffer.writelines(lines[i:i + step]); sys.stdout.flush()
    t += step / rate
    time.sleep(max(0.0, t - time.monotonic()))
PY
report_latency paced "log produce at $rate records/s for ${seconds}s" "$metrics_port"
