// The speed path (`pinpipe stream`): reads every partition of a topic from
// the positions stored in the sink, cleans each record with pin::Cleaner,
// collects micro-batches and commits rows, dead letters and new positions in
// ONE sink transaction. A crash at any instant loses nothing and duplicates
// nothing; a lost database is retried with capped exponential backoff.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "metrics/metrics.h"
#include "sinks/live_sink.h"

namespace pinpipe::jobs {

struct StreamerOptions {
  std::string topic = "pins";
  // Partitions of the topic when it does not exist yet (created on first
  // use, as every bus-using command does); 0 = fail with kNotFound instead.
  int32_t create_partitions = bus::kDefaultPartitions;
  // A micro-batch is committed when it holds this many records, or this many
  // raw bytes, or its first record has waited this long: small batches at low
  // rates (latency), large ones at high rates (throughput).
  size_t max_batch_records = 5000;
  size_t max_batch_bytes = 4u << 20;
  std::chrono::microseconds max_batch_delay{50'000};
  // Longest wait in one Poll when nothing is buffered; bounds how fast Run
  // notices a stop request.
  std::chrono::milliseconds idle_poll{100};
  // Commit on a worker thread while the next batch is read and cleaned.
  bool pipeline = true;
  // Backoff after a retryable error (database or bus unavailable): starts at
  // `retry_initial`, doubles, capped at `retry_max`; reset by a commit.
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{10'000};
  // How often the lag gauges are refreshed from the bus's end offsets.
  std::chrono::milliseconds lag_interval{1'000};
};

// What one RunOnce did.
struct StreamSummary {
  int64_t records = 0;  // bus records read and committed (rows + dead letters + collapsed)
  int64_t rows = 0;     // rows written to the live table (after in-batch dedupe)
  int64_t dead_letters = 0;
  int64_t batches = 0;
  int64_t retries = 0;
  sinks::PositionMap positions;  // stored positions at the end
};

// Owned by one thread: call Run or RunOnce from one thread at a time.
// With options.pipeline it owns a commit worker thread for the duration of
// each Run/RunOnce call (started and joined inside the call).
class Streamer {
 public:
  // All pointers are borrowed and must outlive the Streamer. `registry` may
  // be null (metrics then go to a private registry).
  static Result<std::unique_ptr<Streamer>> Open(const StreamerOptions& options, bus::Bus* bus,
                                                sinks::LiveSink* sink, Clock* clock,
                                                metrics::Registry* registry);
  // With several sinks (connections to one database), the partitions are
  // dealt out among them ("lanes": the i-th partition to sink i mod n) and
  // each lane commits its own micro-batches, so commits of different lanes
  // run at once. Every sink must point at the same database; `sinks` not empty.
  static Result<std::unique_ptr<Streamer>> Open(const StreamerOptions& options, bus::Bus* bus,
                                                std::vector<sinks::LiveSink*> sinks, Clock* clock,
                                                metrics::Registry* registry);
  ~Streamer();

  // Streams until `stop` is requested, then commits what it has read and
  // returns OK. Retryable errors are retried forever (with backoff and a log
  // line); a non-retryable one (e.g. records deleted by retention before
  // they were streamed, a schema this build cannot use) is returned.
  Status Run(std::stop_token stop);

  // Streams what the topic holds now (up to the end offsets seen at the
  // start) and returns. Retries like Run; `stop` ends it early (OK).
  Result<StreamSummary> RunOnce(std::stop_token stop = {});

  // False while the stream is backing off after an error (for /readyz).
  // Thread-safe.
  bool ready() const;

 private:
  struct Impl;
  explicit Streamer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::jobs
