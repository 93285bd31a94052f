// Checks a whole segment file record by record: the shared core of writer
// recovery (which cuts a bad tail) and `pinpipe log verify` (which reports
// it). It also rebuilds the sparse index as it goes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bus/log/offset_index.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

enum class SegmentTail {
  kClean,    // the file ends right after a good record (or the header)
  kTorn,     // it ends inside a record, or with zero bytes only: a write cut short
  kCorrupt,  // bytes that are not the next record (bad checksum, length or offset)
};

struct SegmentScan {
  uint64_t file_size = 0;
  uint64_t valid_bytes = 0;  // header plus every good record before the tail
  Offset next_offset = 0;    // the offset after the last good record
  int64_t records = 0;
  uint64_t last_record_position = 0;  // of the last good record, when records > 0
  UnixMicros max_timestamp = 0;
  std::vector<IndexEntry> index;  // rebuilt at the interval given
  SegmentTail tail = SegmentTail::kClean;
  std::string detail;                  // what is wrong at valid_bytes, when not clean
  bool good_record_after_bad = false;  // kCorrupt: a good record starts later in the file
};

// Scans `file` (a segment whose name says `base_offset`). Read errors are the
// only errors returned; what is wrong with the bytes is in the result.
Result<SegmentScan> ScanSegment(const io::RandomAccessFile& file, Offset base_offset,
                                uint32_t index_interval_bytes);

// The same over a file system path.
Result<SegmentScan> ScanSegmentFile(io::FileSystem* fs, const std::string& path, Offset base_offset,
                                    uint32_t index_interval_bytes);

}  // namespace pinpipe::bus::log
