// `pinpipe log verify`: reads every segment of a topic, checking every
// record's checksum and offset, segment continuity, the sparse indexes and
// the watermarks, and reports each problem with its file and byte position.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

struct VerifyIssue {
  std::string file;
  uint64_t position = 0;
  std::string problem;
  bool corruption = true;  // false: a note (e.g. a torn tail the writer cuts on open)
};

struct PartitionSummary {
  PartitionId partition = 0;
  int segments = 0;
  int64_t records = 0;
  Offset start_offset = 0;
  Offset end_offset = 0;  // after the last good record on disk
  uint64_t bytes = 0;
};

struct VerifyReport {
  std::string topic;
  std::vector<PartitionSummary> partitions;
  std::vector<VerifyIssue> issues;
  bool ok() const {
    for (const VerifyIssue& i : issues) {
      if (i.corruption) return false;
    }
    return true;
  }
};

// Topics under a log root (directories with a topic.meta), sorted.
Result<std::vector<std::string>> ListTopics(io::FileSystem* fs, const std::string& root);

// Needs no lock: safe while a writer runs (its newest bytes may show as a torn tail).
// Errors only when files cannot be read at all; damage goes in the report.
Result<VerifyReport> VerifyTopic(io::FileSystem* fs, const std::string& root, const std::string& topic);

}  // namespace pinpipe::bus::log
