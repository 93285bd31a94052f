// VerifyTopic: full scan of a topic's partitions.
#include "bus/log/log_verify.h"

#include <algorithm>

#include "bus/log/log_layout.h"
#include "bus/log/offset_index.h"
#include "bus/log/segment_reader.h"
#include "bus/log/segment_scan.h"
#include "bus/log/topic_files.h"

namespace pinpipe::bus::log {
namespace {

// Every index entry must point at the record it names.
void CheckIndex(io::FileSystem* fs, const std::string& dir, Offset base, const io::RandomAccessFile& file,
                uint64_t valid_bytes, std::vector<VerifyIssue>* issues) {
  const std::string path = io::JoinPath(dir, IndexFileName(base));
  auto bytes = io::ReadFileToString(fs, path);
  if (!bytes.ok()) {
    issues->push_back({path, 0, "index missing or unreadable: " + bytes.status().message(), false});
    return;
  }
  std::vector<IndexEntry> entries = ParseIndex(*bytes, valid_bytes);
  if (entries.size() * kIndexEntrySize < bytes->size() - bytes->size() % kIndexEntrySize) {
    issues->push_back({path, entries.size() * kIndexEntrySize,
                       "index entry out of order or beyond the segment's records (readers ignore the rest)", false});
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    SegmentReader probe(&file, entries[i].position, 4096);
    RecordView rec;
    std::string why;
    auto outcome = probe.Next(&rec, &why);
    if (!outcome.ok() || *outcome != ReadOutcome::kRecord || rec.offset != base + entries[i].relative_offset) {
      issues->push_back({path, i * kIndexEntrySize,
                         "index entry for offset " + std::to_string(base + entries[i].relative_offset) +
                             " does not point at that record (readers fall back to scanning)",
                         false});
      return;
    }
  }
}

Status VerifyPartition(io::FileSystem* fs, const std::string& topic_dir, PartitionId p, VerifyReport* report) {
  const std::string dir = PartitionDir(topic_dir, p);
  PartitionSummary summary{.partition = p};
  PINPIPE_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegments(fs, dir));
  if (bases.empty()) report->issues.push_back({dir, 0, "partition has no segment files", true});
  Offset expected = bases.empty() ? 0 : bases.front();
  summary.start_offset = expected;
  for (size_t i = 0; i < bases.size(); ++i) {
    const bool last = i + 1 == bases.size();
    const std::string path = io::JoinPath(dir, SegmentFileName(bases[i]));
    if (bases[i] != expected) {
      report->issues.push_back({path, 0,
                                "segment starts at offset " + std::to_string(bases[i]) + " but the previous one ends at " +
                                    std::to_string(expected),
                                true});
    }
    PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(path));
    PINPIPE_ASSIGN_OR_RETURN(SegmentScan scan, ScanSegment(*file, bases[i], 1u << 30));
    summary.records += scan.records;
    summary.bytes += scan.file_size;
    ++summary.segments;
    expected = scan.next_offset;
    if (scan.tail == SegmentTail::kTorn && last) {
      report->issues.push_back({path, scan.valid_bytes,
                                scan.detail + " at the end of the partition: a write cut short; the writer cuts it "
                                              "when it next opens",
                                false});
    } else if (scan.tail != SegmentTail::kClean) {
      std::string where = scan.tail == SegmentTail::kTorn ? "segment ends early: " : "";
      report->issues.push_back({path, scan.valid_bytes, where + scan.detail + " (first bad offset " +
                                                            std::to_string(scan.next_offset) + ")",
                                true});
    }
    CheckIndex(fs, dir, bases[i], *file, scan.valid_bytes, &report->issues);
  }
  summary.end_offset = expected;
  report->partitions.push_back(summary);
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ListTopics(io::FileSystem* fs, const std::string& root) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> entries, fs->ListDir(root));
  std::vector<std::string> topics;
  for (const io::DirEntry& e : entries) {
    if (!e.is_dir || !ValidateTopicName(e.name).ok()) continue;
    PINPIPE_ASSIGN_OR_RETURN(bool has_meta, fs->Exists(io::JoinPath(TopicDir(root, e.name), kTopicMetaFile)));
    if (has_meta) topics.push_back(e.name);
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

Result<VerifyReport> VerifyTopic(io::FileSystem* fs, const std::string& root, const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(ValidateTopicName(topic));
  const std::string dir = TopicDir(root, topic);
  auto meta = ReadTopicMeta(fs, dir);
  if (!meta.ok()) {
    if (meta.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("topic '" + topic + "' does not exist in " + root);
    }
    return meta.status();
  }
  VerifyReport report;
  report.topic = topic;
  for (PartitionId p = 0; p < meta->partitions; ++p) PINPIPE_RETURN_IF_ERROR(VerifyPartition(fs, dir, p, &report));
  const std::string marks_path = io::JoinPath(dir, kWatermarksFile);
  auto marks = ReadWatermarks(fs, dir);
  if (!marks.ok() || static_cast<int32_t>(marks->size()) != meta->partitions) {
    report.issues.push_back({marks_path, 0,
                             "watermarks unreadable (" + marks.status().message() +
                                 "): readers derive them from the segments; the writer rewrites the file",
                             false});
    return report;
  }
  for (const PartitionSummary& s : report.partitions) {
    const Watermark& m = (*marks)[static_cast<size_t>(s.partition)];
    if (m.end > s.end_offset) {
      report.issues.push_back({marks_path, 0,
                               "partition " + std::to_string(s.partition) + " was acknowledged up to offset " +
                                   std::to_string(m.end) + " but the log holds records only up to " +
                                   std::to_string(s.end_offset) +
                                   " (acknowledged records lost: expected only with sync=interval/never after a "
                                   "power loss)",
                               false});
    }
  }
  return report;
}

}  // namespace pinpipe::bus::log
