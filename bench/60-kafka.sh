#!/usr/bin/env bash
# Ingest into Kafka (librdkafka's mock cluster: 3 brokers, real protocol on
# loopback) with pinpipe's Kafka bus, against `kcat -P` sending the same
# records with the same producer settings in the same run (the client-side
# ceiling). Target: batched ingest >= half of kcat's rate.
#   bench/60-kafka.sh BUILD_DIR      (records: PINPIPE_BENCH_KAFKA_RECORDS, default 1000000)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
# 1M records: at 200k a kcat run lasts ~0.3 s and start-up costs dominate.
records=${PINPIPE_BENCH_KAFKA_RECORDS:-1000000}
pinpipe=$build/pinpipe
bench_bin=$build/bench/kafka_produce_bench
kcat=$(command -v kcat || true)
for need in "$pinpipe" "$bench_bin"; do
  [[ -x $need ]] || { echo "60-kafka: $need is missing: build targets pinpipe and kafka_produce_bench"; exit 1; }
done
[[ -n $kcat ]] || { echo "60-kafka: kcat is missing (apt-get install kcat)"; exit 1; }

work=$(mktemp -d /tmp/pinpipe-bench-kafka-XXXXXX)
api_pid=""
cleanup() {
  [[ -n $api_pid ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true  # closing the mock host's stdin stops it
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
rss_mb() { awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
count_topic() {  # records appended to a topic: its summed end offsets
  "$bench_bin" describe --brokers "$bootstrap" --topic "$1" 2> /dev/null | sed -n 's/.*end_offsets=//p'
}

"$pinpipe" gen --count "$records" --seed 7 --duplicate-rate 0 > "$work/records.ndjson"
# kcat's input: unique_id <TAB> record (JSON escapes tabs, so a raw TAB only delimits).
awk '{ k = ""; if (match($0, /"unique_id": *"[^"]*"/)) { k = substr($0, RSTART, RLENGTH); sub(/^"unique_id": *"/, "", k); sub(/"$/, "", k) }
       print k "\t" $0 }' "$work/records.ndjson" > "$work/keyed.tsv"
bytes=$(wc -c < "$work/records.ndjson")
echo "records: $records ($(( bytes / records )) bytes each on average), mock cluster: 3 brokers, 4 partitions per topic"

mkfifo "$work/ctl"
"$bench_bin" serve --partitions 4 --topic kcat --topic bus_batched --topic bus_single --topic api_batched \
  --topic api_batched_1000 --topic api_single < "$work/ctl" > "$work/serve.out" 2> "$work/serve.err" &
exec 3> "$work/ctl"
for _ in $(seq 100); do grep -q '^bootstrap=' "$work/serve.out" && break; sleep 0.1; done
bootstrap=$(sed -n 's/^bootstrap=//p' "$work/serve.out")
[[ -n $bootstrap ]] || { echo "60-kafka: the mock cluster did not start"; cat "$work/serve.err"; exit 1; }

# 1. kcat -P: the ceiling, with pinpipe's producer settings; best of 3 runs.
kcat_rate=0
for run in 1 2 3; do
  t0=$(now)
  /usr/bin/time -v -o "$work/kcat.time" "$kcat" -P -b "$bootstrap" -t kcat -K $'\t' -l \
    -X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=1 \
    -X batch.num.messages=10000 -X batch.size=1000000 -X queue.buffering.max.messages=1000000 \
    "$work/keyed.tsv" 2> "$work/kcat.err"
  t1=$(now)
  rate=$(echo "$records / ($t1 - $t0)" | bc -l)
  if [[ $(echo "$rate > $kcat_rate" | bc -l) == 1 ]]; then kcat_rate=$rate; kcat_secs=$(echo "$t1 - $t0" | bc -l); fi
done
printf 'kcat -P (ceiling, best of 3): %9.0f records/s  (%.2f s, peak RSS %s MB, %s records in Kafka after 3 runs)\n' \
  "$kcat_rate" "$kcat_secs" "$(rss_mb "$work/kcat.time")" "$(count_topic kcat)"

# 2. pinpipe's Kafka bus producer, batched Appends (as POST /pins) and single-record Appends (as POST /pin).
run_bus() {  # topic batch inflight label
  /usr/bin/time -v -o "$work/$1.time" "$bench_bin" produce --brokers "$bootstrap" --topic "$1" \
    --input "$work/records.ndjson" --batch "$2" --inflight "$3" > "$work/$1.out" 2> "$work/$1.err" ||
    { echo "60-kafka: $4 failed"; tail -5 "$work/$1.err"; cat "$work/$1.out"; exit 1; }
  rate=$(sed -n 's/.*records_per_s=\([0-9]*\).*/\1/p' "$work/$1.out")
  lat=$(sed -n 's/.*append_ms_p50=\([0-9.]*\) p99=\([0-9.]*\) max=\([0-9.]*\).*/p50 \1 ms, p99 \2 ms, max \3 ms/p' "$work/$1.out")
  printf '%-29s: %9.0f records/s  (Append latency %s; peak RSS %s MB, %s records in Kafka)\n' \
    "$4" "$rate" "$lat" "$(rss_mb "$work/$1.time")" "$(count_topic "$1")"
}
run_bus bus_batched 100 64 "bus producer, 100/Append"
batched_rate=$rate
run_bus bus_single 1 256 "bus producer, 1/Append"

# 3. Through the ingest API, when this build has `pinpipe emulate` to drive it.
if "$pinpipe" --help | grep -q '^  emulate '; then
  run_api() {  # topic batch count concurrency label
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$pinpipe" --log-level warn api --listen "127.0.0.1:$port" --bus "kafka://$bootstrap" --topic "$1" \
      > "$work/api_$1.out" 2> "$work/api_$1.err" &
    api_pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.05; done
    "$pinpipe" emulate --target "http://127.0.0.1:$port" --max --input "$work/records.ndjson" --count "$3" \
      --batch "$2" --concurrency "$4" --report-json "$work/emulate_$1.json" > "$work/emulate_$1.out" 2>&1 ||
      { echo "60-kafka: emulate failed"; tail -5 "$work/emulate_$1.out"; exit 1; }
    api_rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$api_pid/status")
    kill "$api_pid"; wait "$api_pid" || true; api_pid=""
    python3 - "$work/emulate_$1.json" "$5" "$(count_topic "$1")" "$api_rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
secs = r["elapsed_seconds"] or 1
lat = r["latency_ms"]
print(f"{sys.argv[2]:<29}: {r['accepted'] / secs:9.0f} records/s  (request p50 {lat['p50']:.2f} ms, "
      f"p99 {lat['p99']:.2f} ms, max {lat['max']:.2f} ms; accepted {r['accepted']}, failed {r['failed']}; "
      f"api peak RSS {sys.argv[4]} MB; {sys.argv[3]} records in Kafka)")
PY
  }
  accepted_rate() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["accepted"]/r["elapsed_seconds"])' "$1"; }
  run_api api_batched 100 "$records" 32 "API -> Kafka, POST /pins x100"
  api_x100_rate=$(accepted_rate "$work/emulate_api_batched.json")
  # 1000-record bodies, as bench/30-api.sh measures POST /pins.
  run_api api_batched_1000 1000 "$records" 32 "API -> Kafka, POST /pins x1000"
  api_batched_rate=$(accepted_rate "$work/emulate_api_batched_1000.json")
  single=$(( records / 4 < 50000 ? records / 4 : 50000 ))
  run_api api_single 1 "$single" 64 "API -> Kafka, POST /pin"
else
  echo "API -> Kafka: not measured (this build has no \`pinpipe emulate\`); the bus producer rows stand in for it"
fi

# The target compares what users get: the API when this build has it, else the bus producer.
if [[ -n ${api_batched_rate:-} ]]; then
  batched_rate=$api_batched_rate; what="API POST /pins x1000"
  printf 'API POST /pins x100 / kcat -P : %.2f  (smaller bodies, for comparison)\n' "$(echo "$api_x100_rate / $kcat_rate" | bc -l)"
else
  what="bus producer"
fi
ratio=$(echo "$batched_rate / $kcat_rate" | bc -l)
verdict=$([[ $(echo "$ratio >= 0.5" | bc -l) == 1 ]] && echo PASS || echo FAIL)
printf 'batched ingest / kcat -P     : %.2f  (%s; target >= 0.50: %s)\n' "$ratio" "$what" "$verdict"
