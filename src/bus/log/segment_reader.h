// Reads framed records one after another from a segment file through a
// buffer, seeing the file grow while it is being appended to. Used by
// consumers, recovery, `log verify` and the fuzzer alike.
#pragma once

#include <cstdint>
#include <string>

#include "bus/log/record_format.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

enum class ReadOutcome {
  kRecord,   // a whole record with a good checksum
  kEnd,      // no bytes at the position: end of file
  kTorn,     // the file ends inside a record (a write in progress or cut short)
  kCorrupt,  // the bytes at the position are not a record
};

// Externally serialized. `file` is borrowed and must outlive the reader.
class SegmentReader {
 public:
  SegmentReader(const io::RandomAccessFile* file, uint64_t position, size_t buffer_bytes = 256 << 10)
      : file_(file), position_(position), buffer_bytes_(buffer_bytes) {}

  // Reads the record at position(); on kRecord, *out stays valid until the
  // next call and position() moves past it. On kCorrupt *why says why.
  Result<ReadOutcome> Next(RecordView* out, std::string* why);

  // Byte position of the next record to read.
  uint64_t position() const { return position_; }
  // Moves to `position` (the buffer is kept when it covers it).
  void Seek(uint64_t position) { position_ = position; }

 private:
  // Makes buf_ hold at least `needed` bytes from position_ when the file has
  // them; returns how many it holds.
  Result<size_t> Fill(size_t needed);

  const io::RandomAccessFile* file_;
  uint64_t position_;
  size_t buffer_bytes_;
  std::string buf_;
  uint64_t buf_start_ = 0;  // file position of buf_[0]
};

}  // namespace pinpipe::bus::log
