// Buffered record iteration over a (possibly growing) segment file.
#include "bus/log/segment_reader.h"

#include <algorithm>

namespace pinpipe::bus::log {

Result<size_t> SegmentReader::Fill(size_t needed) {
  if (position_ >= buf_start_ && position_ + needed <= buf_start_ + buf_.size()) {
    return static_cast<size_t>(buf_start_ + buf_.size() - position_);
  }
  size_t want = std::max(needed, buffer_bytes_);
  buf_.resize(want);
  PINPIPE_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(position_, std::span<char>(buf_.data(), want)));
  buf_.resize(got);
  buf_start_ = position_;
  return got;
}

Result<ReadOutcome> SegmentReader::Next(RecordView* out, std::string* why) {
  size_t needed = kRecordHeaderSize;
  for (;;) {
    size_t available = 0;
    if (position_ >= buf_start_ && position_ < buf_start_ + buf_.size()) {
      available = static_cast<size_t>(buf_start_ + buf_.size() - position_);
    }
    std::string_view bytes(buf_.data() + (available ? position_ - buf_start_ : 0), available);
    size_t more = 0;
    ParseOutcome outcome = available ? ParseRecord(bytes, out, &more, why) : ParseOutcome::kNeedMore;
    if (outcome == ParseOutcome::kRecord) {
      position_ += out->size;
      return ReadOutcome::kRecord;
    }
    if (outcome == ParseOutcome::kCorrupt) return ReadOutcome::kCorrupt;
    if (available) needed = more;
    if (available >= needed) return Status::Internal("segment reader made no progress");
    PINPIPE_ASSIGN_OR_RETURN(size_t got, Fill(needed));
    if (got == 0) return ReadOutcome::kEnd;
    if (got < needed) {
      // Parse what there is: a bad length field is corruption, not a tear.
      bytes = std::string_view(buf_.data(), got);
      if (ParseRecord(bytes, out, &more, why) == ParseOutcome::kCorrupt) return ReadOutcome::kCorrupt;
      return ReadOutcome::kTorn;
    }
  }
}

}  // namespace pinpipe::bus::log
