// PartitionWriter: open/recovery, framing, rolling and retention.
#include "bus/log/partition_writer.h"

#include <algorithm>

#include "bus/log/log_layout.h"
#include "bus/log/offset_index.h"
#include "bus/log/record_format.h"
#include "bus/log/segment_scan.h"
#include "core/log.h"

namespace pinpipe::bus::log {

PartitionWriter::PartitionWriter(io::FileSystem* fs, std::string dir, PartitionId partition,
                                 const PartitionWriterOptions& options)
    : fs_(fs), dir_(std::move(dir)), partition_(partition), options_(options) {}

PartitionWriter::~PartitionWriter() {
  if (!any_failed_.load()) {
    (void)Write();
    (void)FlushIndex();
    (void)Sync();
  }
}

Status PartitionWriter::failed() const {
  if (!any_failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard lock(mu_);
  return failed_;
}

Status PartitionWriter::OpenSyncHandle(const std::string& path) {
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<io::WritableFile> handle, fs_->NewAppendableFile(path));
  std::lock_guard lock(mu_);
  sync_handle_ = std::move(handle);
  return Status::Ok();
}

Status PartitionWriter::SyncWritten() {
  std::shared_ptr<io::WritableFile> handle;
  {
    std::lock_guard lock(mu_);
    if (!failed_.ok()) return failed_;
    handle = sync_handle_;
  }
  Status st = handle->Sync();
  return st.ok() ? st : Fail(st);
}

std::string PartitionWriter::PathOf(const std::string& name) const { return io::JoinPath(dir_, name); }

Status PartitionWriter::Fail(Status st) {
  std::lock_guard lock(mu_);
  if (failed_.ok()) {
    failed_ = st.WithContext("log partition " + std::to_string(partition_) + " failed (reopen to recover)");
    any_failed_.store(true, std::memory_order_release);
    core::Log("log").error("event=writer_failed partition={} error={}", partition_,
                           core::LogValue(st.ToString()));
  }
  return failed_;
}

Result<std::unique_ptr<PartitionWriter>> PartitionWriter::Open(io::FileSystem* fs, std::string dir,
                                                               PartitionId partition,
                                                               const PartitionWriterOptions& options) {
  std::unique_ptr<PartitionWriter> w(new PartitionWriter(fs, std::move(dir), partition, options));
  PINPIPE_RETURN_IF_ERROR(fs->CreateDirs(w->dir_));
  PINPIPE_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegments(fs, w->dir_));
  if (bases.empty()) {
    PINPIPE_RETURN_IF_ERROR(w->CreateSegment(0));
    return w;
  }
  for (size_t i = 0; i + 1 < bases.size(); ++i) PINPIPE_RETURN_IF_ERROR(w->LoadClosedSegment(bases[i]));
  PINPIPE_RETURN_IF_ERROR(w->RecoverActiveSegment(bases.back()));
  return w;
}

// A sealed segment's size and newest timestamp come from its index (the
// writer always ends a sealed index with the last record); a missing or
// unusable index is rebuilt by scanning.
Status PartitionWriter::LoadClosedSegment(Offset base) {
  Segment seg{.base = base};
  PINPIPE_ASSIGN_OR_RETURN(seg.size, fs_->FileSize(PathOf(SegmentFileName(base))));
  std::string index_path = PathOf(IndexFileName(base));
  auto bytes = io::ReadFileToString(fs_, index_path);
  std::vector<IndexEntry> index;
  if (bytes.ok()) index = ParseIndex(*bytes, seg.size);
  if (!index.empty()) {
    seg.max_timestamp = index.back().max_timestamp;
  } else if (seg.size > kSegmentHeaderSize) {
    PINPIPE_ASSIGN_OR_RETURN(SegmentScan scan, ScanSegmentFile(fs_, PathOf(SegmentFileName(base)), base,
                                                               options_.index_interval_bytes));
    seg.max_timestamp = scan.max_timestamp;
    std::string out;
    for (const IndexEntry& e : scan.index) AppendIndexEntry(&out, e);
    if (scan.records > 0) {
      AppendIndexEntry(&out, {static_cast<uint32_t>(scan.next_offset - 1 - base),
                              static_cast<uint32_t>(scan.last_record_position), scan.max_timestamp});
    }
    core::Log("log").info("event=index_rebuilt partition={} segment={}", partition_, base);
    PINPIPE_RETURN_IF_ERROR(io::WriteFileAtomically(fs_, index_path, out));
  }
  segments_.push_back(seg);
  return Status::Ok();
}

Status PartitionWriter::RecoverActiveSegment(Offset base) {
  const std::string path = PathOf(SegmentFileName(base));
  PINPIPE_ASSIGN_OR_RETURN(SegmentScan scan, ScanSegmentFile(fs_, path, base, options_.index_interval_bytes));
  bool bad_header = scan.valid_bytes == 0 && scan.tail == SegmentTail::kCorrupt;
  if (bad_header || (scan.tail == SegmentTail::kCorrupt && scan.good_record_after_bad)) {
    return Status::Corruption(path + " position " + std::to_string(scan.valid_bytes) + ": " + scan.detail +
                              (bad_header ? "" : "; good records follow it, so it is not a torn write") +
                              ". Refusing to cut acknowledged records: run `pinpipe log verify` and see "
                              "docs/log-format.md (recovery)");
  }
  if (scan.valid_bytes < kSegmentHeaderSize) {  // the header itself never reached the disk
    return CreateSegment(base);
  }
  if (scan.valid_bytes < scan.file_size) {
    core::Log("log").warn(
        "event=recovery_truncated partition={} file={} position={} bytes_cut={} first_lost_offset={} reason={}",
        partition_, path, scan.valid_bytes, scan.file_size - scan.valid_bytes, scan.next_offset,
        core::LogValue(scan.detail));
    PINPIPE_RETURN_IF_ERROR(fs_->Truncate(path, scan.valid_bytes));
  }
  std::string index;
  for (const IndexEntry& e : scan.index) AppendIndexEntry(&index, e);
  PINPIPE_ASSIGN_OR_RETURN(index_file_, fs_->NewWritableFile(PathOf(IndexFileName(base))));
  PINPIPE_RETURN_IF_ERROR(index_file_->Append(index));
  PINPIPE_ASSIGN_OR_RETURN(log_file_, fs_->NewAppendableFile(path));
  // What recovery keeps becomes durable before anyone can read it.
  PINPIPE_RETURN_IF_ERROR(log_file_->Sync());
  PINPIPE_RETURN_IF_ERROR(OpenSyncHandle(path));
  segments_.push_back({.base = base, .size = scan.valid_bytes, .max_timestamp = scan.max_timestamp});
  next_offset_ = scan.next_offset;
  last_indexed_position_ = scan.index.empty() ? kSegmentHeaderSize : scan.index.back().position;
  if (scan.records > 0) {
    last_record_offset_ = scan.next_offset - 1;
    last_record_position_ = scan.last_record_position;
    last_record_indexed_ = !scan.index.empty() && scan.index.back().relative_offset == last_record_offset_ - base;
  }
  return Status::Ok();
}

// Creates (or recreates) the segment file with its header and an empty index,
// durable along with their directory entries.
Status PartitionWriter::CreateSegment(Offset base) {
  const std::string path = PathOf(SegmentFileName(base));
  PINPIPE_ASSIGN_OR_RETURN(log_file_, fs_->NewWritableFile(path));
  PINPIPE_RETURN_IF_ERROR(log_file_->Append(EncodeSegmentHeader(base)));
  PINPIPE_RETURN_IF_ERROR(log_file_->Sync());
  PINPIPE_RETURN_IF_ERROR(OpenSyncHandle(path));
  PINPIPE_ASSIGN_OR_RETURN(index_file_, fs_->NewWritableFile(PathOf(IndexFileName(base))));
  PINPIPE_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  segments_.push_back({.base = base, .size = kSegmentHeaderSize, .max_timestamp = 0});
  next_offset_ = base;
  last_indexed_position_ = kSegmentHeaderSize;
  last_record_offset_ = -1;
  last_record_indexed_ = false;
  dirty_ = false;
  return Status::Ok();
}

Result<Offset> PartitionWriter::Add(std::string_view key, std::string_view value, UnixMicros timestamp) {
  if (Status st = failed(); !st.ok()) return st;
  Segment* seg = &segments_.back();
  const size_t framed = FramedSize(key.size(), value.size());
  if (last_record_offset_ >= 0 && (seg->size + framed > options_.segment_bytes || next_offset_ - seg->base >= UINT32_MAX)) {
    if (Status st = Roll(); !st.ok()) return Fail(st);
    seg = &segments_.back();
  }
  const uint64_t position = seg->size;
  const Offset offset = next_offset_;
  EncodeRecord(&pending_, offset, timestamp, key, value);
  seg->max_timestamp = last_record_offset_ >= 0 ? std::max(seg->max_timestamp, timestamp) : timestamp;
  seg->size += framed;
  last_record_offset_ = offset;
  last_record_position_ = position;
  last_record_indexed_ = false;
  if (position - last_indexed_position_ >= options_.index_interval_bytes) {
    AppendIndexEntry(&pending_index_, {static_cast<uint32_t>(offset - seg->base),
                                       static_cast<uint32_t>(position), seg->max_timestamp});
    last_indexed_position_ = position;
    last_record_indexed_ = true;
  }
  ++next_offset_;
  return offset;
}

Status PartitionWriter::Write() {
  if (Status st = failed(); !st.ok()) return st;
  if (!pending_.empty()) {
    if (Status st = log_file_->Append(pending_); !st.ok()) return Fail(st);
    pending_.clear();
    dirty_ = true;
  }
  // Index entries go out in bunches: the index is only a hint until the
  // segment is sealed, and one write per commit less is measurable.
  if (pending_index_.size() >= kIndexWriteBytes) return FlushIndex();
  return Status::Ok();
}

Status PartitionWriter::FlushIndex() {
  if (pending_index_.empty()) return Status::Ok();
  if (Status st = index_file_->Append(pending_index_); !st.ok()) return Fail(st);
  pending_index_.clear();
  return Status::Ok();
}

Status PartitionWriter::Sync() {
  if (Status st = failed(); !st.ok()) return st;
  if (!dirty_) return Status::Ok();
  if (Status st = log_file_->Sync(); !st.ok()) return Fail(st);
  dirty_ = false;
  return Status::Ok();
}

// Seals the active segment (data and index durable, the index ending with the
// last record so its newest timestamp is known on reopen) and starts the next.
Status PartitionWriter::Roll() {
  PINPIPE_RETURN_IF_ERROR(Write());
  PINPIPE_RETURN_IF_ERROR(Sync());
  PINPIPE_RETURN_IF_ERROR(FlushIndex());
  const Segment& sealed = segments_.back();
  if (!last_record_indexed_) {
    std::string last;
    AppendIndexEntry(&last, {static_cast<uint32_t>(last_record_offset_ - sealed.base),
                             static_cast<uint32_t>(last_record_position_), sealed.max_timestamp});
    PINPIPE_RETURN_IF_ERROR(index_file_->Append(last));
  }
  PINPIPE_RETURN_IF_ERROR(index_file_->Sync());
  PINPIPE_RETURN_IF_ERROR(index_file_->Close());
  PINPIPE_RETURN_IF_ERROR(log_file_->Close());
  core::Log("log").info("event=segment_rolled partition={} base_offset={} bytes={}", partition_, next_offset_,
                        sealed.size);
  return CreateSegment(next_offset_);
}

uint64_t PartitionWriter::bytes() const {
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.size;
  return total;
}

Result<bool> PartitionWriter::EnforceRetention(UnixMicros now) {
  if (Status st = failed(); !st.ok()) return st;
  size_t drop = 0;
  if (options_.retention_ms >= 0) {
    const UnixMicros cutoff = now - options_.retention_ms * 1000;
    while (drop + 1 < segments_.size() && segments_[drop].max_timestamp < cutoff) ++drop;
  }
  if (options_.retention_bytes >= 0) {
    int64_t excess = static_cast<int64_t>(bytes()) - options_.retention_bytes;
    for (size_t i = 0; i < drop; ++i) excess -= static_cast<int64_t>(segments_[i].size);
    while (drop + 1 < segments_.size() && excess - static_cast<int64_t>(segments_[drop].size) >= 0) {
      excess -= static_cast<int64_t>(segments_[drop].size);
      ++drop;
    }
  }
  if (drop == 0) return false;
  for (size_t i = 0; i < drop; ++i) {
    Status st = fs_->Remove(PathOf(SegmentFileName(segments_[i].base)));
    if (st.ok()) {
      Status idx = fs_->Remove(PathOf(IndexFileName(segments_[i].base)));
      if (!idx.ok() && idx.code() != StatusCode::kNotFound) st = idx;
    }
    if (!st.ok()) {
      segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(i));
      return st;
    }
  }
  core::Log("log").info("event=retention_deleted partition={} segments={} new_start_offset={}", partition_, drop,
                        segments_[drop].base);
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(drop));
  return true;
}

}  // namespace pinpipe::bus::log
