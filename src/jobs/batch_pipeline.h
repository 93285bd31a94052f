// The hand-over between `batch`'s workers and its single loader: chunks made
// in parallel from numbered line batches, consumed strictly in number order
// (so the warehouse sees the same order on every run), with memory bounded
// by a window: a chunk numbered `window` or more past the loader's waits.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "core/status.h"
#include "jobs/batch_reader.h"

namespace pinpipe::jobs {

// Thread-safe. No deadlock when window >= 1: the chunk the loader waits for
// is always inside the window, so its worker is never held back.
class BatchPipeline {
 public:
  explicit BatchPipeline(size_t window) : slots_(window) {}

  // Worker: hands over *chunk (of object `object`) as number `sequence`,
  // and leaves in *chunk one the loader is done with, if any, to be filled
  // again (its rows keep their strings' buffers, so a steady state
  // allocates nothing), else an empty one. Blocks while `sequence` is
  // outside the window. false when the pipeline failed (stop working).
  bool Push(int64_t sequence, size_t object, BatchChunk* chunk);
  // Any worker: there are `count` chunks in all (0..count-1).
  void SetCount(int64_t count);
  // Any thread: stops everything; the first error wins.
  void Fail(Status error);
  bool failed() const;

  struct Item {
    BatchChunk chunk;
    size_t object = 0;
  };
  // Loader: the next chunk in number order; nullopt after the last one;
  // the failure when the pipeline failed.
  Result<std::optional<Item>> Pop();
  // Loader: gives back a chunk it is done with, for a worker to refill: a
  // chunk is ~20 heap blocks per row; allocating and freeing them anew cost
  // ~5% of a day's batch.
  void Recycle(BatchChunk chunk);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<Item>> slots_;  // guarded by mu_: number s in slots_[s % window]
  int64_t next_ = 0;                        // guarded by mu_: the number the loader takes next
  int64_t count_ = -1;                      // guarded by mu_: -1 until known
  Status error_;                            // guarded by mu_
  std::vector<BatchChunk> spent_;           // guarded by mu_
};

}  // namespace pinpipe::jobs
