// `batch`'s readers share the date's objects a batch of lines at a time, so
// every worker can clean part of the same object while the loader still
// gets each line in load order: a batch's sequence number is its place in
// that order. One object is fetched and decompressed at a time, under a
// lock (a small part of a line's cost on a local lake; parsing and cleaning
// run outside it). A remote store will want the next object fetched ahead.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "lake/object_store.h"
#include "lake/zstd_codec.h"

namespace pinpipe::jobs {

struct BatchPlan;

struct LineBatch {
  size_t object = 0;       // index into the plan's tasks
  int64_t sequence = 0;    // 0, 1, 2, ... over the whole plan
  int64_t first_line = 1;  // the object's line number of the first line
  std::string text;        // whole lines, each ending in '\n'
  bool last = false;       // marks the object's end (text is then empty)
};

// Thread-safe.
class LineBatchSource {
 public:
  // A batch holds `lines_per_batch` lines, fewer once they reach
  // `bytes_per_batch` (big records would make big batches otherwise).
  LineBatchSource(lake::ObjectStore* store, const BatchPlan& plan, size_t lines_per_batch,
                  size_t bytes_per_batch = 8u << 20)
      : store_(store), plan_(plan), lines_per_batch_(lines_per_batch), bytes_per_batch_(bytes_per_batch) {}

  // The next batch into *batch (its text buffer reused); false when every
  // object has given all its batches. An object ends with one batch of no
  // lines and last = true. Errors (an object that cannot be fetched or
  // decompressed) name the object's key and end the source.
  Result<bool> Next(LineBatch* batch);
  // Batches handed out so far (all of them once Next said false).
  int64_t issued() {
    std::lock_guard<std::mutex> lock(mu_);
    return sequence_;
  }

 private:
  lake::ObjectStore* const store_;
  const BatchPlan& plan_;
  const size_t lines_per_batch_;
  const size_t bytes_per_batch_;
  std::mutex mu_;
  size_t object_ = 0;                             // guarded by mu_
  int64_t sequence_ = 0;                          // guarded by mu_
  std::string compressed_;                        // guarded by mu_: object_'s bytes
  std::unique_ptr<lake::ZstdLineReader> reader_;  // guarded by mu_: null before object_ is fetched
  Status error_;                                  // guarded by mu_
};

}  // namespace pinpipe::jobs
