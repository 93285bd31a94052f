// The writing end of one partition: recovers the directory on open, frames
// records into the active segment, rolls segments at a size (syncing the
// sealed segment, its index and the directory), and applies retention.
#pragma once

#include <cstdint>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

struct PartitionWriterOptions {
  uint64_t segment_bytes = 64ull << 20;
  uint32_t index_interval_bytes = 4096;
  int64_t retention_ms = -1;     // -1 = keep
  int64_t retention_bytes = -1;  // -1 = unbounded
};

// Externally serialized: one group-commit thread owns it after Open, except
// SyncWritten() and failed(), which a second (sync) thread may call at any
// time. After an I/O error every call fails with that error (the file is in
// an unknown state; reopening, which recovers, is the way back).
class PartitionWriter {
 public:
  // Opens `dir` (created if missing) for appending. Recovery: a torn or
  // corrupt tail of the last segment is cut (logged); corruption with good
  // records after it is kCorruption, because cutting would lose acknowledged data.
  static Result<std::unique_ptr<PartitionWriter>> Open(io::FileSystem* fs, std::string dir,
                                                       PartitionId partition,
                                                       const PartitionWriterOptions& options);
  ~PartitionWriter();

  // Frames one record after the others; returns its offset. It reaches the
  // file at Write(). Rolls to a new segment first when the record does not fit.
  Result<Offset> Add(std::string_view key, std::string_view value, UnixMicros timestamp);
  // Hands every added record to the OS (one write): visible to readers,
  // survives a process crash, not yet a power loss.
  Status Write();
  // Makes everything written durable (fdatasync); no-op when nothing is new.
  Status Sync();
  // Thread-safe: makes everything Write() handed to the OS before this call
  // durable, through a second handle on the active segment, so the owning
  // thread can keep writing while it waits. Segments sealed by a roll were
  // synced by the roll.
  Status SyncWritten();
  // Deletes whole segments (never the active one) older than retention_ms
  // (by their newest record) or beyond retention_bytes. True if any went.
  Result<bool> EnforceRetention(UnixMicros now);

  Offset start_offset() const { return segments_.front().base; }
  Offset next_offset() const { return next_offset_; }
  uint64_t bytes() const;
  PartitionId partition() const { return partition_; }
  // Thread-safe. OK, or the error that failed this writer.
  Status failed() const;

 private:
  struct Segment {
    Offset base = 0;
    uint64_t size = 0;
    UnixMicros max_timestamp = 0;
  };

  PartitionWriter(io::FileSystem* fs, std::string dir, PartitionId partition,
                  const PartitionWriterOptions& options);
  Status LoadClosedSegment(Offset base);
  Status RecoverActiveSegment(Offset base);
  Status CreateSegment(Offset base);
  Status Roll();
  Status FlushIndex();
  Status Fail(Status st);
  Status OpenSyncHandle(const std::string& path);
  std::string PathOf(const std::string& name) const;

  io::FileSystem* fs_;
  std::string dir_;
  PartitionId partition_;
  PartitionWriterOptions options_;
  std::vector<Segment> segments_;  // ascending; back() is the active segment
  std::unique_ptr<io::WritableFile> log_file_;
  std::unique_ptr<io::WritableFile> index_file_;
  std::string pending_;        // framed records not yet written
  std::string pending_index_;  // index entries not yet written
  static constexpr size_t kIndexWriteBytes = 1024;
  Offset next_offset_ = 0;
  uint64_t last_indexed_position_ = 0;
  Offset last_record_offset_ = -1;  // in the active segment; -1 when empty
  uint64_t last_record_position_ = 0;
  bool last_record_indexed_ = false;
  bool dirty_ = false;  // written since the last sync
  mutable std::mutex mu_;  // guards failed_ and sync_handle_
  std::atomic<bool> any_failed_{false};
  Status failed_;
  std::shared_ptr<io::WritableFile> sync_handle_;  // the active segment, for SyncWritten
};

}  // namespace pinpipe::bus::log
