// File naming and listing of the log directory tree.
#include "bus/log/log_layout.h"

#include <algorithm>
#include <cstdio>

namespace pinpipe::bus::log {
namespace {

constexpr size_t kOffsetDigits = 20;

// snprintf rather than string concatenation: GCC 12 at -O3 reports a false
// -Wrestrict on `"literal" + std::string`.
std::string PaddedOffset(Offset offset, const char* suffix) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%020lld%s", static_cast<long long>(offset), suffix);
  return buf;
}

}  // namespace

Status ValidateTopicName(std::string_view topic) {
  bool ok = !topic.empty() && topic.size() <= 249 && topic != "." && topic != "..";
  for (char c : topic) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    ok = ok && allowed;
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("invalid topic name '" + std::string(topic) +
                                 "': use 1-249 characters of A-Z a-z 0-9 . _ -");
}

std::string TopicDir(std::string_view root, std::string_view topic) { return io::JoinPath(root, topic); }

std::string PartitionDir(std::string_view topic_dir, PartitionId partition) {
  char name[16];
  std::snprintf(name, sizeof name, "p%d", static_cast<int>(partition));
  return io::JoinPath(topic_dir, name);
}

std::string SegmentFileName(Offset base_offset) { return PaddedOffset(base_offset, ".log"); }
std::string IndexFileName(Offset base_offset) { return PaddedOffset(base_offset, ".index"); }

std::optional<Offset> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kOffsetDigits + 4 || name.substr(kOffsetDigits) != ".log") return std::nullopt;
  Offset value = 0;
  for (size_t i = 0; i < kOffsetDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<std::vector<Offset>> ListSegments(io::FileSystem* fs, const std::string& partition_dir) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> entries, fs->ListDir(partition_dir));
  std::vector<Offset> bases;
  for (const io::DirEntry& e : entries) {
    if (e.is_dir) continue;
    if (auto base = ParseSegmentFileName(e.name)) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

}  // namespace pinpipe::bus::log
