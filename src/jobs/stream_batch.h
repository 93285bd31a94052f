// One micro-batch of the stream: bus records cleaned into rows (deduped by
// unique_id, newest version kept) and dead letters, plus the positions the
// batch starts from and moves to. Committed by LiveSink::CommitBatch.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.h"
#include "pin/pin.h"
#include "sinks/live_sink.h"

namespace pinpipe::jobs {

// Owned by one thread.
class StreamBatch {
 public:
  // `from`: the stored positions the batch starts at (absent = none stored).
  explicit StreamBatch(sinks::PositionMap from) : from_(std::move(from)) {}

  // Cleans `record` with `cleaner` and adds it as a row (replacing an older
  // version of the same unique_id in this batch) or a dead letter. Records of
  // a partition must come in offset order. ingested_at = record.timestamp.
  void Add(bus::Record&& record, pin::Cleaner* cleaner);

  // Records added (rows + dead letters + collapsed duplicates).
  size_t records() const { return records_; }
  // Raw bytes added, a proxy for the batch's memory and commit size.
  size_t bytes() const { return bytes_; }
  bool empty() const { return records_ == 0; }
  // Records whose older version in this batch was dropped (or which were
  // older than the version already here).
  size_t collapsed() const { return collapsed_; }
  // Dead letters per pin::RejectReason.
  const std::array<int64_t, pin::kRejectReasonCount>& rejects() const { return rejects_; }

  const sinks::PositionMap& from() const { return from_; }
  // Per partition touched: one past the last offset added.
  const sinks::PositionMap& next() const { return next_; }
  const std::vector<sinks::LiveRow>& rows() const { return rows_; }
  const std::vector<sinks::DeadLetter>& dead() const { return dead_; }

  // Positions after this batch commits: `from` with `next` laid over it.
  sinks::PositionMap PositionsAfter() const;
  sinks::LiveBatch View(std::string_view topic) const {
    return {.topic = topic, .from = &from_, .next = &next_, .rows = rows_, .dead = dead_};
  }

 private:
  sinks::PositionMap from_;
  sinks::PositionMap next_;
  std::vector<sinks::LiveRow> rows_;
  std::vector<sinks::DeadLetter> dead_;
  std::unordered_map<std::string, size_t> row_of_id_;  // unique_id -> index in rows_
  std::array<int64_t, pin::kRejectReasonCount> rejects_{};
  size_t records_ = 0;
  size_t bytes_ = 0;
  size_t collapsed_ = 0;
  sinks::LiveRow scratch_;  // cleaned into, then moved in when kept
  pin::Rejection rejection_;
};

}  // namespace pinpipe::jobs
