// topic.meta and watermarks encoding (docs/log-format.md).
#include "bus/log/topic_files.h"

#include <charconv>

#include "bus/log/coding.h"
#include "bus/log/crc32c.h"
#include "bus/log/log_layout.h"

namespace pinpipe::bus::log {
namespace {

constexpr uint32_t kWatermarksMagic = 0x4d575050;  // bytes "PPWM"

}  // namespace

std::string EncodeTopicMeta(const TopicMeta& meta) {
  return "# pinpipe log topic metadata (docs/log-format.md)\nformat=1\npartitions=" +
         std::to_string(meta.partitions) + "\n";
}

Result<TopicMeta> DecodeTopicMeta(std::string_view text, const std::string& path) {
  TopicMeta meta;
  bool format_ok = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);
    if (key == "format") format_ok = value == "1";
    if (key == "partitions") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), meta.partitions);
      if (ec != std::errc() || end != value.data() + value.size()) meta.partitions = 0;
    }
  }
  if (!format_ok || meta.partitions < 1) {
    return Status::Corruption(path + ": not a valid topic metadata file (want format=1 and partitions>=1)");
  }
  return meta;
}

Result<TopicMeta> ReadTopicMeta(io::FileSystem* fs, const std::string& topic_dir) {
  std::string path = io::JoinPath(topic_dir, kTopicMetaFile);
  auto text = io::ReadFileToString(fs, path);
  if (!text.ok()) return text.status();
  return DecodeTopicMeta(*text, path);
}

std::string EncodeWatermarks(const std::vector<Watermark>& marks) {
  std::string out;
  out.reserve(12 + 16 * marks.size());
  PutFixed32(&out, kWatermarksMagic);
  PutFixed32(&out, static_cast<uint32_t>(marks.size()));
  for (const Watermark& m : marks) {
    PutFixed64(&out, static_cast<uint64_t>(m.start));
    PutFixed64(&out, static_cast<uint64_t>(m.end));
  }
  PutFixed32(&out, Crc32c(out));
  return out;
}

Result<std::vector<Watermark>> DecodeWatermarks(std::string_view bytes) {
  if (bytes.size() < 12 || DecodeFixed32(bytes.data()) != kWatermarksMagic) {
    return Status::Corruption("watermarks file is incomplete or not a watermarks file");
  }
  uint32_t count = DecodeFixed32(bytes.data() + 4);
  if (bytes.size() != 12 + 16ull * count) return Status::Corruption("watermarks file has the wrong size");
  if (DecodeFixed32(bytes.data() + bytes.size() - 4) != Crc32c(bytes.substr(0, bytes.size() - 4))) {
    return Status::Corruption("watermarks file checksum mismatch");
  }
  std::vector<Watermark> marks(count);
  for (uint32_t i = 0; i < count; ++i) {
    marks[i].start = static_cast<Offset>(DecodeFixed64(bytes.data() + 8 + 16 * i));
    marks[i].end = static_cast<Offset>(DecodeFixed64(bytes.data() + 16 + 16 * i));
  }
  return marks;
}

std::string WatermarksPath(const std::string& topic_dir) { return io::JoinPath(topic_dir, kWatermarksFile); }

Result<std::vector<Watermark>> ReadWatermarks(io::FileSystem* fs, const std::string& topic_dir) {
  PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(WatermarksPath(topic_dir)));
  char head[8];
  PINPIPE_ASSIGN_OR_RETURN(size_t got, file->ReadAt(0, std::span<char>(head, sizeof head)));
  if (got < sizeof head || DecodeFixed32(head) != kWatermarksMagic || DecodeFixed32(head + 4) > 1'000'000) {
    return Status::Corruption("watermarks file is incomplete or not a watermarks file");
  }
  const size_t record = WatermarksRecordSize(DecodeFixed32(head + 4));
  PINPIPE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string buf(record, '\0');
  // The newest whole record; if it is being appended as we read, the one before.
  for (uint64_t end = size / record * record, tries = 0; end >= record && tries < 2; end -= record, ++tries) {
    PINPIPE_ASSIGN_OR_RETURN(got, file->ReadAt(end - record, std::span<char>(buf.data(), record)));
    auto marks = DecodeWatermarks(std::string_view(buf.data(), got));
    if (marks.ok()) return marks;
  }
  return Status::Corruption("watermarks file has no good record at its end");
}

Status WriteWatermarks(io::FileSystem* fs, const std::string& topic_dir, const std::vector<Watermark>& marks) {
  return io::WriteFileAtomically(fs, WatermarksPath(topic_dir), EncodeWatermarks(marks));
}

}  // namespace pinpipe::bus::log
