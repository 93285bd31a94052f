// StreamBatch: clean, dedupe within the batch, track positions.
#include "jobs/stream_batch.h"

#include <algorithm>

namespace pinpipe::jobs {

void StreamBatch::Add(bus::Record&& record, pin::Cleaner* cleaner) {
  ++records_;
  bytes_ += record.value.size() + record.key.size();
  bus::Offset& next = next_[record.partition];
  next = std::max(next, record.offset + 1);
  bus::Position position{record.partition, record.offset};

  if (!cleaner->Clean(record.value, &scratch_.record, &rejection_)) {
    rejects_[static_cast<size_t>(rejection_.reason)]++;
    dead_.push_back({.rejection = std::move(rejection_),
                     .raw = std::move(record.value),
                     .position = position,
                     .ingested_at = record.timestamp});
    rejection_ = {};
    return;
  }
  scratch_.record.ingested_at = record.timestamp;
  scratch_.position = position;
  auto [it, inserted] = row_of_id_.try_emplace(scratch_.record.unique_id, rows_.size());
  if (inserted) {
    rows_.push_back(std::move(scratch_));
  } else {
    ++collapsed_;
    sinks::LiveRow& kept = rows_[it->second];
    if (sinks::IsNewer(scratch_, kept)) kept = std::move(scratch_);
  }
  scratch_ = {};
}

sinks::PositionMap StreamBatch::PositionsAfter() const {
  sinks::PositionMap out = from_;
  for (const auto& [partition, next] : next_) out[partition] = next;
  return out;
}

}  // namespace pinpipe::jobs
