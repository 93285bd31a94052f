// Where the log's files live: <root>/<topic>/ holds topic.meta, watermarks
// and LOCK; <root>/<topic>/p<N>/ holds one partition's segments
// <base offset, 20 digits>.log and their sparse indexes <base>.index.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

inline constexpr char kTopicMetaFile[] = "topic.meta";
inline constexpr char kWatermarksFile[] = "watermarks";
inline constexpr char kLockFile[] = "LOCK";

// kInvalidArgument unless the name is 1-249 of [A-Za-z0-9._-] and not "."/".." (Kafka's rule).
Status ValidateTopicName(std::string_view topic);

std::string TopicDir(std::string_view root, std::string_view topic);
std::string PartitionDir(std::string_view topic_dir, PartitionId partition);
std::string SegmentFileName(Offset base_offset);  // "00000000000000000042.log"
std::string IndexFileName(Offset base_offset);    // "00000000000000000042.index"
// The base offset of a segment file name; nullopt for any other name.
std::optional<Offset> ParseSegmentFileName(std::string_view name);

// Base offsets of the segments in a partition directory, ascending.
Result<std::vector<Offset>> ListSegments(io::FileSystem* fs, const std::string& partition_dir);

}  // namespace pinpipe::bus::log
