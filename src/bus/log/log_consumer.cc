// LogConsumer: range checks, fair reading across partitions, waiting.
#include "bus/log/log_consumer.h"

#include <algorithm>

#include "bus/log/log_layout.h"
#include "bus/log/segment_scan.h"

namespace pinpipe::bus::log {

Result<std::vector<Watermark>> WatermarkSource::Current() {
  TopicState::View view = state_->Snapshot();
  if (view.writer_attached) return last_ = std::move(view.marks);
  auto marks = ReadWatermarks(fs_, topic_dir_);
  if (marks.ok() && static_cast<int32_t>(marks->size()) == state_->partitions()) return last_ = *std::move(marks);
  if (!last_.empty()) return last_;  // being rewritten right now: the last answer stands
  PINPIPE_ASSIGN_OR_RETURN(last_, FromSegments());
  return last_;
}

// Without a watermarks file the readable range is what the segments hold:
// start at the first segment, end after the last good record.
Result<std::vector<Watermark>> WatermarkSource::FromSegments() {
  std::vector<Watermark> marks;
  for (PartitionId p = 0; p < state_->partitions(); ++p) {
    std::string dir = PartitionDir(topic_dir_, p);
    PINPIPE_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegments(fs_, dir));
    if (bases.empty()) {
      marks.push_back({0, 0});
      continue;
    }
    PINPIPE_ASSIGN_OR_RETURN(SegmentScan scan,
                             ScanSegmentFile(fs_, io::JoinPath(dir, SegmentFileName(bases.back())), bases.back(), 1u << 30));
    marks.push_back({bases.front(), scan.next_offset});
  }
  return marks;
}

LogConsumer::LogConsumer(const LogOptions& options, std::string topic_dir, std::shared_ptr<TopicState> state)
    : options_(options), topic_dir_(topic_dir), source_(options.fs, std::move(topic_dir), std::move(state)) {}

Status LogConsumer::Assign(const std::map<PartitionId, Offset>& next_offsets) {
  const int32_t partitions = source_.state()->partitions();
  std::vector<Cursor> cursors;
  for (const auto& [p, offset] : next_offsets) {
    if (p < 0 || p >= partitions) {
      return Status::InvalidArgument("partition " + std::to_string(p) + " does not exist (the topic has " +
                                     std::to_string(partitions) + ")");
    }
    if (offset < 0) return Status::InvalidArgument("offset " + std::to_string(offset) + " is negative");
    cursors.push_back({p, std::make_unique<PartitionReader>(options_.fs, PartitionDir(topic_dir_, p), p), offset});
  }
  cursors_ = std::move(cursors);
  round_robin_ = 0;
  return Status::Ok();
}

Status LogConsumer::ReadAvailable(const std::vector<Watermark>& marks, size_t max, std::vector<Record>* out) {
  const size_t n = cursors_.size();
  for (size_t i = 0; i < n && out->size() < max; ++i) {
    Cursor& c = cursors_[(round_robin_ + i) % n];
    const Watermark& mark = marks[static_cast<size_t>(c.partition)];
    if (c.next < mark.start) {
      return Status::OutOfRange("partition " + std::to_string(c.partition) + " offset " + std::to_string(c.next) +
                                " is below the start offset " + std::to_string(mark.start) +
                                " (retention deleted it); resume from the start offset");
    }
    if (c.next > mark.end) {
      return Status::OutOfRange("partition " + std::to_string(c.partition) + " offset " + std::to_string(c.next) +
                                " is beyond the end offset " + std::to_string(mark.end));
    }
    if (c.next == mark.end) continue;
    if (!c.reader->positioned() || c.reader->next_offset() != c.next) PINPIPE_RETURN_IF_ERROR(c.reader->Seek(c.next));
    const size_t before = out->size();
    Status st = c.reader->Read(mark.end, max - out->size(), out);
    c.next = c.reader->next_offset();
    // Hand out the good records first; the error comes back on the next poll.
    if (!st.ok() && out->size() == before) return st;
    if (!st.ok()) break;
  }
  round_robin_ = n == 0 ? 0 : (round_robin_ + 1) % n;
  return Status::Ok();
}

Result<std::vector<Record>> LogConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(1);
  std::vector<Record> out;
  if (max_records == 0) return out;
  for (;;) {
    const uint64_t seen = source_.state()->Snapshot().version;
    PINPIPE_ASSIGN_OR_RETURN(std::vector<Watermark> marks, source_.Current());
    PINPIPE_RETURN_IF_ERROR(ReadAvailable(marks, max_records, &out));
    if (!out.empty()) return out;
    const auto now = Clock::now();
    if (now >= deadline) return out;
    // An in-process writer notifies; a writer elsewhere is polled for.
    auto wake = source_.state()->Snapshot().writer_attached ? deadline : std::min(deadline, now + backoff);
    source_.state()->WaitForChange(seen, wake);
    backoff = std::min(backoff * 2, options_.reader_poll_max);
  }
}

}  // namespace pinpipe::bus::log
