// The worker side of `batch`: a batch of landed lines in, cleaned rows,
// rejects and clean-zone lines out, with every line checked against its
// object's key (partition, hour and offset range; offsets increasing across
// batches too, via ObjectOrderCheck on the loader), so a damaged or
// misplaced object fails loudly instead of loading wrong data.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jobs/line_batch_source.h"
#include "lake/key_layout.h"
#include "lake/object_store.h"
#include "pin/clean_view.h"
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
  // The accepted rows. Their texts point into zone_text (a value the clean
  // zone's JSON holds byte for byte) or side_text (a value the JSON had to
  // escape), both kept on the heap so that moving the chunk moves neither:
  // valid until the chunk is refilled or the string zone_text was moved
  // into is gone (the clean zone's window takes it, buffer and all).
  std::vector<sinks::WarehouseRowView> rows;
  std::vector<sinks::WarehouseReject> rejects;
  int64_t raw_records = 0;
  int64_t overlap_skipped = 0;
  bool last = false;  // the object's final chunk (holds no lines)
  int64_t first_line = 1;  // the object's line number of the first line
  // Of the landed lines read, skipped overlaps included; -1: no lines.
  int64_t first_offset = -1, last_offset = -1;
  // Each row's clean-zone line (as AppendCleanZoneLine writes it, plus
  // '\n'); line i ends at zone_line_ends[i].
  std::string zone_text;
  std::vector<uint32_t> zone_line_ends;
  std::string side_text;
  // Where each row's texts are while zone_text and side_text still grow
  // (their buffers may move): made into views once the batch is read.
  struct TextRef {
    enum Where : uint8_t { kNull, kZone, kSide };
    uint32_t begin = 0;
    uint32_t size = 0;
    Where where = kNull;
  };
  static constexpr size_t kIngestedAtRef = pin::kCleanTextCount;  // after the clean texts
  std::vector<std::array<TextRef, kIngestedAtRef + 1>> text_refs;
};

// Parses, checks and cleans `batch` (lines of `task`'s object) into
// *chunk (its rows and clean-zone lines), reusing its buffers. kCorruption
// naming the line for bad content; the caller adds the key. Owned by one
// thread (uses `viewer`).
Status ReadLineBatch(const LineBatch& batch, const RawObjectTask& task, pin::CleanViewer* viewer,
                     BatchChunk* chunk);

// The checks that span an object's batches, run on the loader in load
// order: the first line is the key's first offset, offsets increase from
// batch to batch, the last line is the key's last offset.
class ObjectOrderCheck {
 public:
  // Call with each chunk of one object in order (a new object starts
  // after a chunk with last = true).
  Status Next(const BatchChunk& chunk, const RawObjectTask& task);

 private:
  int64_t previous_ = -1;  // last offset so far in the current object
  bool any_ = false;
};

}  // namespace pinpipe::jobs
