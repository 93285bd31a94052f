// The reading end of one partition: finds the segment holding an offset
// (through the sparse index), then reads records in order up to a limit
// offset, moving to the next segment file at the end of one. Works in any
// process: it needs no lock, only the files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/log/segment_reader.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

// Externally serialized.
class PartitionReader {
 public:
  // `fs` is borrowed for the reader's life.
  PartitionReader(io::FileSystem* fs, std::string dir, PartitionId partition)
      : fs_(fs), dir_(std::move(dir)), partition_(partition) {}

  // Positions at `offset`. kOutOfRange when no segment holds it (retention
  // deleted it); kCorruption naming file and position when bytes are bad.
  Status Seek(Offset offset);
  // Appends the records from next_offset() up to (not including) `end`, at
  // most `max` of them, to `out`. REQUIRES: Seek succeeded. Every record
  // below `end` must exist: a missing or damaged one is kCorruption.
  Status Read(Offset end, size_t max, std::vector<Record>* out);

  Offset next_offset() const { return next_offset_; }
  bool positioned() const { return reader_ != nullptr; }

 private:
  Status OpenSegment(Offset base);

  io::FileSystem* fs_;
  std::string dir_;
  PartitionId partition_;
  std::string path_;  // current segment file
  Offset base_ = 0;   // its base offset
  std::unique_ptr<io::RandomAccessFile> file_;
  std::unique_ptr<SegmentReader> reader_;
  Offset next_offset_ = 0;
};

}  // namespace pinpipe::bus::log
