// The worker side of `batch`: one raw object in, cleaned rows and rejects out
// in chunks, with every landed line checked against the object's key (its
// partition, hour and offset range), so a damaged or misplaced object fails
// loudly instead of loading wrong data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lake/key_layout.h"
#include "lake/object_store.h"
#include "pin/pin.h"
#include "sinks/warehouse.h"

namespace pinpipe::jobs {

struct RawObjectTask {
  std::string key;
  lake::RawObjectKey parsed;
  uint64_t size = 0;
  // Offsets <= this were already read from an earlier object of the same
  // partition whose range overlaps (two landers ran at once); -1: none.
  int64_t skip_through = -1;
};

struct BatchChunk {
  std::vector<sinks::WarehouseRow> rows;
  std::vector<sinks::WarehouseReject> rejects;
  int64_t raw_records = 0;
  int64_t overlap_skipped = 0;
  bool last = false;  // the object's final chunk
};

// Reads `task`'s object and calls `emit` with a chunk every `rows_per_chunk`
// records and once more at the end (last = true). `emit` takes the chunk
// and may leave a used one in its place, which is refilled reusing its rows.
// kCorruption naming the line for bad content; the caller adds the key.
// Owned by one thread (uses `cleaner`).
Status ReadRawObject(lake::ObjectStore* store, const RawObjectTask& task, pin::Cleaner* cleaner,
                     size_t rows_per_chunk, const std::function<Status(BatchChunk*)>& emit);

}  // namespace pinpipe::jobs
