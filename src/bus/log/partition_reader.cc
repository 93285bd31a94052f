// PartitionReader: seek through the index, sequential reads across segments.
#include "bus/log/partition_reader.h"

#include <algorithm>

#include "bus/log/log_layout.h"
#include "bus/log/offset_index.h"
#include "bus/log/record_format.h"

namespace pinpipe::bus::log {
namespace {

Status Missing(PartitionId p, Offset offset, const std::string& why) {
  return Status::OutOfRange("partition " + std::to_string(p) + " offset " + std::to_string(offset) +
                            " is no longer in the log (" + why + "); restart from the partition's start offset");
}

}  // namespace

Status PartitionReader::OpenSegment(Offset base) {
  std::string path = io::JoinPath(dir_, SegmentFileName(base));
  auto file = fs_->NewRandomAccessFile(path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) return Missing(partition_, next_offset_, "segment deleted");
    return file.status();
  }
  std::string header(kSegmentHeaderSize, '\0');
  PINPIPE_ASSIGN_OR_RETURN(size_t got, (*file)->ReadAt(0, std::span<char>(header.data(), header.size())));
  header.resize(got);
  PINPIPE_RETURN_IF_ERROR(CheckSegmentHeader(header, base, path));
  file_ = std::move(file).value();
  reader_ = std::make_unique<SegmentReader>(file_.get(), kSegmentHeaderSize);
  path_ = std::move(path);
  base_ = base;
  return Status::Ok();
}

Status PartitionReader::Seek(Offset offset) {
  reader_.reset();
  file_.reset();
  next_offset_ = offset;
  PINPIPE_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegments(fs_, dir_));
  auto it = std::upper_bound(bases.begin(), bases.end(), offset);
  if (it == bases.begin()) {
    return Missing(partition_, offset, bases.empty() ? "no segments" : "below the first segment");
  }
  const Offset base = *(it - 1);
  PINPIPE_RETURN_IF_ERROR(OpenSegment(base));
  // The index is a hint: use its entry only if the record there is the one it names.
  auto index_bytes = io::ReadFileToString(fs_, io::JoinPath(dir_, IndexFileName(base)));
  if (index_bytes.ok() && offset > base) {
    PINPIPE_ASSIGN_OR_RETURN(uint64_t size, file_->Size());
    std::vector<IndexEntry> entries = ParseIndex(*index_bytes, size);
    if (auto entry = FindIndexEntry(entries, static_cast<uint32_t>(offset - base))) {
      SegmentReader probe(file_.get(), entry->position, 4096);
      RecordView rec;
      std::string why;
      auto outcome = probe.Next(&rec, &why);
      if (outcome.ok() && *outcome == ReadOutcome::kRecord && rec.offset == base + entry->relative_offset) {
        reader_->Seek(entry->position);
      }
    }
  }
  // Skip forward to `offset`.
  for (;;) {
    const uint64_t position = reader_->position();
    RecordView rec;
    std::string why;
    PINPIPE_ASSIGN_OR_RETURN(ReadOutcome outcome, reader_->Next(&rec, &why));
    if (outcome != ReadOutcome::kRecord || rec.offset >= offset) {
      reader_->Seek(position);  // leave the reader at the target (or at the end so far)
      break;
    }
  }
  return Status::Ok();
}

Status PartitionReader::Read(Offset end, size_t max, std::vector<Record>* out) {
  size_t taken = 0;
  while (next_offset_ < end && taken < max) {
    const uint64_t position = reader_->position();
    RecordView rec;
    std::string why;
    PINPIPE_ASSIGN_OR_RETURN(ReadOutcome outcome, reader_->Next(&rec, &why));
    if (outcome == ReadOutcome::kEnd) {
      // This segment is complete; the next one starts at next_offset_.
      auto next = OpenSegment(next_offset_);
      if (!next.ok()) {
        if (next.code() != StatusCode::kOutOfRange) return next;
        // Retention may have deleted it while we read the one before.
        PINPIPE_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegments(fs_, dir_));
        if (!bases.empty() && bases.front() > next_offset_) return next;
        return Status::Corruption(dir_ + ": no segment starts at offset " + std::to_string(next_offset_) +
                                  " although the log ends at " + std::to_string(end));
      }
      continue;
    }
    if (outcome == ReadOutcome::kRecord && rec.offset != next_offset_) {
      outcome = ReadOutcome::kCorrupt;
      why = "record offset " + std::to_string(rec.offset) + " where " + std::to_string(next_offset_) +
            " was expected";
    }
    if (outcome != ReadOutcome::kRecord) {
      if (outcome == ReadOutcome::kTorn) why = "record cut short";
      return Status::Corruption(path_ + " position " + std::to_string(position) + ": " + why);
    }
    out->push_back(Record{.partition = partition_,
                          .offset = rec.offset,
                          .timestamp = rec.timestamp,
                          .key = std::string(rec.key),
                          .value = std::string(rec.value)});
    ++next_offset_;
    ++taken;
  }
  return Status::Ok();
}

}  // namespace pinpipe::bus::log
