// State one emulator run shares between its connections: the record source
// behind a lock, pacing, stop conditions and the counters. Internal.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "emulate/emulator.h"

namespace pinpipe::emulate {

using SteadyTime = std::chrono::steady_clock::time_point;

// One request's records, as taken from the source.
struct PendingRequest {
  std::string body;
  int64_t records = 0;
  SteadyTime scheduled;                             // when pacing wants it sent
  std::vector<std::pair<size_t, size_t>> spans;     // each record's bytes in body (want_acks only)
};

// Per io thread; touched only on that thread.
struct ThreadStats {
  LatencyHistogram latency;
  LatencyHistogram service_latency;
  std::map<int, int64_t> statuses;
};

// Thread-safe.
class RunState {
 public:
  RunState(const EmulatorOptions& options, RecordSource* source, const EmulatorHooks& hooks);

  // Fills *req with the next request's records; false when the run is over
  // (count reached, source ended, deadline passed or cancelled).
  bool Take(PendingRequest* req);

  const EmulatorOptions& options() const { return options_; }
  const EmulatorHooks& hooks() const { return hooks_; }
  SteadyTime start() const { return start_; }
  EmulatorCounts Snapshot() const;
  void Ack(const emulate::Ack& ack);

  std::atomic<int64_t> requests{0}, records_sent{0}, accepted{0}, rejected{0}, failed{0}, failed_requests{0},
      throttled{0}, http_errors{0};

 private:
  const EmulatorOptions& options_;
  const EmulatorHooks& hooks_;
  const SteadyTime start_;
  std::mutex source_mu_;
  RecordSource* source_;  // guarded by source_mu_
  int64_t issued_ = 0;    // records taken; guarded by source_mu_
  bool ended_ = false;    // guarded by source_mu_
  std::string record_;    // scratch; guarded by source_mu_
  std::mutex ack_mu_;
};

}  // namespace pinpipe::emulate
