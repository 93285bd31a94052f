-- wrk script: POST /pins with NDJSON batches of PINPIPE_BENCH_BATCH records
-- (default 1000), cut from the records in PINPIPE_BENCH_RECORDS.
local requests = {}
local next_index = 0

function init(args)
  local path = os.getenv("PINPIPE_BENCH_RECORDS")
  local batch = tonumber(os.getenv("PINPIPE_BENCH_BATCH") or "1000")
  local headers = { ["Content-Type"] = "application/x-ndjson" }
  local lines = {}
  for line in io.lines(path) do
    lines[#lines + 1] = line
    if #lines == batch then
      requests[#requests + 1] = wrk.format("POST", "/pins", headers, table.concat(lines, "\n") .. "\n")
      lines = {}
    end
  end
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
