-- wrk script: POST /pin with varied realistic records.
-- Reads NDJSON records from the file named by env PINPIPE_BENCH_RECORDS
-- (made by `pinpipe gen`) and cycles through them; every request is built
-- once in init so the client spends its time sending, not formatting.
local requests = {}
local next_index = 0

function init(args)
  local path = os.getenv("PINPIPE_BENCH_RECORDS")
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(path) do
    requests[#requests + 1] = wrk.format("POST", "/pin", headers, line)
  end
  -- threads start at different records
  next_index = math.random(#requests)
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
-- Print the error counts so a run that measured failures says so.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("wrk_errors connect=%d read=%d write=%d status=%d timeout=%d\n",
                         e.connect, e.read, e.write, e.status, e.timeout))
end
