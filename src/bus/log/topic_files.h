// A topic's own files: topic.meta (partition count, written once, atomically)
// and watermarks (each partition's readable [start, end) offsets, appended by
// the writer after group commits so reader processes know how far the
// durable, acknowledged records go; the last whole record counts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

struct TopicMeta {
  int32_t partitions = 0;
};

std::string EncodeTopicMeta(const TopicMeta& meta);
// kCorruption naming `path` when the text is not a topic.meta.
Result<TopicMeta> DecodeTopicMeta(std::string_view text, const std::string& path);
// kNotFound when the topic has no metadata (it does not exist).
Result<TopicMeta> ReadTopicMeta(io::FileSystem* fs, const std::string& topic_dir);

struct Watermark {
  Offset start = 0;  // first readable offset
  Offset end = 0;    // offset after the last acknowledged record
  friend bool operator==(const Watermark&, const Watermark&) = default;
};

// One watermarks record: fixed size for a partition count.
std::string EncodeWatermarks(const std::vector<Watermark>& marks);
// kCorruption when the bytes are not exactly one good record.
Result<std::vector<Watermark>> DecodeWatermarks(std::string_view bytes);
inline size_t WatermarksRecordSize(size_t partitions) { return 12 + 16 * partitions; }
// The last good record of the file (one being appended right now is skipped).
Result<std::vector<Watermark>> ReadWatermarks(io::FileSystem* fs, const std::string& topic_dir);
// Replaces the file with one record, durably (temp file, fsync, rename).
Status WriteWatermarks(io::FileSystem* fs, const std::string& topic_dir, const std::vector<Watermark>& marks);
std::string WatermarksPath(const std::string& topic_dir);

}  // namespace pinpipe::bus::log
