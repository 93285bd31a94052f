#!/usr/bin/env bash
# `make demo`: the whole pipeline on one machine. Starts `pinpipe up` (api +
# land + stream) in a fresh data dir, posts ~30 s of realistic traffic with
# `pinpipe emulate`, stops it cleanly, runs the daily batch, asks the
# warehouse three questions, and checks that every number balances.
#   usage: demo-pipeline.sh PINPIPE_BIN   (env: DEMO_SECONDS, DEMO_RATE, DEMO_DIR)
set -euo pipefail

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
seconds=${DEMO_SECONDS:-30}
rate=${DEMO_RATE:-1000}
data=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pinpipe-demo.XXXXXX")}
mkdir -p "$data"
pp() { "$bin" --data-dir "$data" "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }

say "1/5 pinpipe up: api + land + stream on the embedded defaults in $data"
"$bin" --data-dir "$data" up --listen 127.0.0.1:0 --no-scheduler >"$data/up.log" 2>&1 &
up_pid=$!
trap 'kill -9 $up_pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*serving .* on port \([0-9]*\);.*/\1/p' "$data/up.log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 $up_pid 2>/dev/null || { cat "$data/up.log" >&2; fail "pinpipe up exited"; }
  sleep 0.05
done
[[ -n "$port" ]] || fail "pinpipe up did not start listening"
echo "listening on http://127.0.0.1:$port (logs: $data/up.log)"

say "2/5 pinpipe emulate: ${seconds}s at ${rate} records/s, 1% replays, 1% bad records"
pp emulate --target "http://127.0.0.1:$port" --rate "$rate" --duration "$seconds" --concurrency 16 \
  --duplicate-rate 0.01 --bad-rate 0.01 --seed "$RANDOM" --report-json "$data/emulate.json"

say "3/5 Ctrl-C: pinpipe up drains (stop accepting, flush the log, land and stream to the end)"
kill -INT $up_pid
wait $up_pid || fail "pinpipe up did not exit cleanly (see $data/up.log)"
trap - EXIT
grep -E 'event=(draining|drained|stopped)' "$data/up.log" | sed 's/^/  /' | tail -4

say "4/5 pinpipe batch: lake raw zone -> clean -> dedupe -> warehouse, per day"
batch_loaded=0; batch_dups=0; batch_rejected=0
for dir in "$data"/lake/raw/pins/dt=*; do
  dt=${dir##*dt=}
  pp batch --date "$dt" 2>"$data/batch-$dt.log" | tee "$data/batch-$dt.txt"
  n() { sed -n "s/^  $1 *\([0-9,]*\)$/\1/p" "$data/batch-$dt.txt" | tr -d ,; }
  batch_loaded=$((batch_loaded + $(n loaded))); batch_dups=$((batch_dups + $(n duplicates)))
  batch_rejected=$((batch_rejected + $(n rejected)))
done

say "5/5 ad-hoc SQL on the warehouse (pinpipe query)"
echo "The original's question: follower counts of travel posts (top 10)"
pp query "SELECT poster_name, follower_count, title FROM pins WHERE category = 'travel'
          ORDER BY follower_count DESC, unique_id LIMIT 10"
echo; echo "Top categories by median followers"
pp query "WITH ranked AS (
            SELECT category, follower_count,
                   ROW_NUMBER() OVER (PARTITION BY category ORDER BY follower_count) AS rn,
                   COUNT(*) OVER (PARTITION BY category) AS n
            FROM pins WHERE follower_count IS NOT NULL)
          SELECT category, CAST(AVG(follower_count) AS INTEGER) AS median_followers, MAX(n) AS pins
          FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
          GROUP BY category ORDER BY median_followers DESC LIMIT 5"
echo; echo "Share of images, videos and stories per category (%)"
pp query "SELECT category,
                 ROUND(100.0 * SUM(media_type = 'image') / COUNT(*), 1) AS image,
                 ROUND(100.0 * SUM(media_type = 'video') / COUNT(*), 1) AS video,
                 ROUND(100.0 * SUM(media_type = 'story') / COUNT(*), 1) AS story,
                 ROUND(100.0 * SUM(media_type IS NULL) / COUNT(*), 1) AS unknown,
                 COUNT(*) AS pins
          FROM pins GROUP BY category ORDER BY pins DESC"

say "Reconciliation"
q() { pp query --format csv "$1" | tail -n +2 | tr -d "\r"; }
ql() { pp query --warehouse "sqlite:$data/live.db" --format csv "$1" | tail -n +2 | tr -d "\r"; }
posted=$(jq .sent "$data/emulate.json")
accepted=$(jq .accepted "$data/emulate.json")
rejected=$(jq .rejected "$data/emulate.json")
failed=$(jq .failed "$data/emulate.json")
in_log=$(pp log describe --json | jq .records)
live_rows=$(ql "SELECT COUNT(*) FROM pins_live")
live_dead=$(ql "SELECT COUNT(*) FROM pins_rejected")
wh_rows=$(q "SELECT COUNT(*) FROM pins")
wh_distinct=$(q "SELECT COUNT(DISTINCT unique_id) FROM pins")
fingerprint="SELECT COUNT(*) || ':' || TOTAL(COALESCE(follower_count, 0)) || ':' || TOTAL(COALESCE(ind, 0))
             || ':' || SUM(LENGTH(COALESCE(title, '')) + LENGTH(tag_list)) FROM"
live_fp=$(ql "$fingerprint pins_live")
wh_fp=$(q "$fingerprint (SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY unique_id
           ORDER BY ingested_at DESC, bus_partition DESC, bus_offset DESC) AS newest FROM pins) WHERE newest = 1)")
printf '  %-34s %10s\n' "posted by the emulator" "$posted" "accepted (202, durable in the log)" "$accepted" \
  "rejected at the door (400)" "$rejected" "failed (transport)" "$failed" "records in the log" "$in_log" \
  "duplicates (replayed unique_ids)" "$batch_dups" "rows live (pins_live)" "$live_rows" \
  "rows in the warehouse (pins)" "$wh_rows" "dead letters (live + warehouse)" "$((live_dead + batch_rejected))"
ok=1
check() { if eval "$1"; then printf '  ok    %s\n' "$2"; else printf '  FAIL  %s\n' "$2"; ok=0; fi; }
check '[[ $posted -eq $((accepted + rejected + failed)) && $failed -eq 0 ]]' "posted = accepted + rejected, none failed"
check '[[ $in_log -eq $accepted ]]' "every accepted record is in the log"
check '[[ $((batch_loaded + batch_dups + batch_rejected)) -eq $in_log ]]' "warehouse loaded + duplicates + rejected = log records"
check '[[ $wh_distinct -eq $live_rows ]]' "live table and warehouse hold the same unique_ids ($live_rows)"
check '[[ "$live_fp" == "$wh_fp" ]]' "live table and warehouse agree on the latest version of every pin"
check '[[ $live_dead -eq 0 && $batch_rejected -eq 0 ]]' "no dead letters: bad records never got past the API"

say "Where the data lives"
cat <<WHERE
  log (bus)        $data/log            pinpipe --data-dir $data log describe
  lake raw zone    $data/lake/raw       zstdcat \$(find $data/lake/raw -name '*.zst' | head -1) | head -1 | jq .
  lake clean zone  $data/lake/clean
  warehouse        $data/warehouse.db   pinpipe --data-dir $data query "SELECT category, COUNT(*) FROM pins GROUP BY 1"
  live table       $data/live.db        pinpipe --data-dir $data query --warehouse sqlite:$data/live.db "SELECT COUNT(*) FROM pins_live"
WHERE
[[ $ok -eq 1 ]] || fail "the numbers do not balance"
echo; echo "demo: OK"
