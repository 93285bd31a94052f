// The user-posting emulator: replays records (generated or from a file) to
// the ingest API over keep-alive HTTP connections, at a fixed rate or flat
// out, singly (POST /pin) or in batches (POST /pins), and measures what the
// API answered and how fast.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "emulate/latency_histogram.h"
#include "emulate/record_source.h"
#include "emulate/target_url.h"

namespace pinpipe::emulate {

struct EmulatorOptions {
  TargetUrl target;
  double rate = 0;             // records per second, paced open-loop; 0 = as fast as answers come
  int64_t count = -1;          // records to send; -1 = until duration_ms or the source ends
  int64_t duration_ms = 0;     // stop sending after this (paced: every record due before it); 0 = no limit
  int concurrency = 8;         // keep-alive connections
  int batch = 1;               // records per request; > 1 sends NDJSON to POST /pins
  int threads = 1;             // io threads the connections are spread over
  std::string bearer_token;    // sent as Authorization: Bearer when not empty
  int64_t request_timeout_ms = 30'000;
  int64_t progress_interval_ms = 1000;
  bool want_acks = false;      // extract unique_ids so on_ack can name accepted records
};

// Counts so far, in records unless named otherwise.
struct EmulatorCounts {
  double elapsed_s = 0;
  int64_t requests = 0;         // answered or failed
  int64_t records_sent = 0;
  int64_t accepted = 0;         // the API confirmed them durable (202)
  int64_t rejected = 0;         // refused by validation (400)
  int64_t failed = 0;           // in requests that failed at the transport level (no HTTP answer)
  int64_t failed_requests = 0;
  int64_t throttled = 0;        // answered 429 or 503
  int64_t http_errors = 0;      // any other answer
};

struct EmulatorReport {
  EmulatorCounts counts;
  std::map<int, int64_t> statuses;  // HTTP status -> requests
  // Per request: from its scheduled send time when paced (so a slow server
  // cannot hide queueing delay), else from its send.
  LatencyHistogram latency;
  // Per request, from its actual send: the server's share alone. Equals
  // `latency` when not paced; when paced, the difference is time the request
  // waited for a free connection or for the client itself.
  LatencyHistogram service_latency;
};

// One acknowledged record. partition/offset are -1 for batch answers.
struct Ack {
  std::string_view unique_id;  // as the API keys it: trimmed, lower-case
  int32_t partition = -1;
  int64_t offset = -1;
};

struct EmulatorHooks {
  const std::atomic<bool>* cancel = nullptr;  // set: stop sending, finish what is in flight
  std::function<void(const EmulatorCounts&)> on_progress;  // every progress_interval_ms
  std::function<void(const Ack&)> on_ack;  // needs want_acks; calls are serialized
};

// Runs to completion on threads it owns (joined before it returns); the
// callbacks run on them. Timing uses std::chrono::steady_clock directly:
// pacing real sockets needs the real clock. kUnavailable when the target
// host does not resolve; kInvalidArgument for inconsistent options.
Result<EmulatorReport> RunEmulator(const EmulatorOptions& options, RecordSource* source,
                                   const EmulatorHooks& hooks);

}  // namespace pinpipe::emulate
