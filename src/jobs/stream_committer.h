// The commit stage of the stream: takes finished micro-batches and commits
// each with LiveSink::CommitBatch, optionally on its own thread so reading and
// cleaning batch N+1 overlaps the database writing batch N.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "jobs/stream_batch.h"
#include "jobs/stream_metrics.h"
#include "sinks/live_sink.h"

namespace pinpipe::jobs {

// Thread-safe for one producer thread calling Submit/WaitIdle/TakeError.
// With `threaded`, owns one worker thread from construction to destruction.
// After a failed commit it keeps the first error and drops every batch
// submitted until TakeError() clears it: later batches build on the failed
// one's positions, so they must be re-read, never committed.
class StreamCommitter {
 public:
  // All pointers are borrowed and must outlive this object.
  StreamCommitter(std::string topic, sinks::LiveSink* sink, Clock* clock, StreamMetrics* metrics,
                  bool threaded);
  ~StreamCommitter();
  StreamCommitter(const StreamCommitter&) = delete;
  StreamCommitter& operator=(const StreamCommitter&) = delete;

  // Commits `batch` (waits while a previous batch is still committing).
  // REQUIRES: !batch.empty().
  void Submit(StreamBatch batch);
  // Blocks until no batch is pending or committing.
  void WaitIdle();
  // The first error since the last call (OK when none), and clears it.
  Status TakeError();
  // True while a commit error is pending (the caller should stop reading).
  bool failed();
  // Positions of the last committed batch; nullopt before any commit.
  std::optional<sinks::PositionMap> committed();

  struct Totals {
    int64_t records = 0;
    int64_t rows = 0;
    int64_t dead_letters = 0;
    int64_t batches = 0;
  };
  // What the successful commits so far held.
  Totals totals();

 private:
  void Commit(StreamBatch& batch);
  void WorkerLoop();

  const std::string topic_;
  sinks::LiveSink* sink_;
  Clock* clock_;
  StreamMetrics* metrics_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<StreamBatch> pending_;           // guarded by mu_
  bool busy_ = false;                            // guarded by mu_: the worker holds a batch
  bool shutdown_ = false;                        // guarded by mu_
  Status error_;                                 // guarded by mu_
  std::optional<sinks::PositionMap> committed_;  // guarded by mu_
  Totals totals_;                                // guarded by mu_
  std::thread worker_;                           // not joinable when !threaded
};

}  // namespace pinpipe::jobs
