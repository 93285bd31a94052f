// The hand-over between `batch`'s workers and its single loader: chunks of
// many objects produced in parallel, consumed strictly in object order (so
// the warehouse sees the same order on every run), with memory bounded by
// letting a worker run only `ahead` chunks in front of the loader.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "core/status.h"
#include "jobs/batch_reader.h"

namespace pinpipe::jobs {

// Thread-safe. No deadlock: objects are taken in increasing order, so the
// object the loader waits on is always the oldest one in progress, and its
// worker is never held back.
class BatchPipeline {
 public:
  BatchPipeline(size_t objects, size_t ahead) : queues_(objects), ahead_(ahead) {}

  // Worker: hands over *chunk, of object `i` (chunk->last ends the object),
  // and leaves in *chunk one the loader is done with, if any, to be filled
  // again (its rows keep their strings' buffers, so a steady state
  // allocates nothing), else an empty one. Blocks while `i` is ahead of the
  // loader and holds `ahead` chunks. false when the pipeline failed (stop
  // working).
  bool Push(size_t i, BatchChunk* chunk);
  // Any thread: stops everything; the first error wins.
  void Fail(Status error);
  bool failed() const;

  struct Item {
    BatchChunk chunk;
    size_t object = 0;
  };
  // Loader: the next chunk in object order; nullopt after the last object's
  // last chunk; the failure when the pipeline failed.
  Result<std::optional<Item>> Pop();
  // Loader: gives back a chunk it is done with, for a worker to refill: a
  // chunk is ~20 heap blocks per row; allocating and freeing them anew cost
  // ~5% of a day's batch.
  void Recycle(BatchChunk chunk);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::deque<BatchChunk>> queues_;  // guarded by mu_
  size_t ahead_;
  size_t current_ = 0;  // the object the loader consumes; guarded by mu_
  Status error_;        // guarded by mu_
  std::vector<BatchChunk> spent_;  // guarded by mu_
};

}  // namespace pinpipe::jobs
