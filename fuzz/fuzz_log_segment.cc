// Fuzzes the embedded log's read side with arbitrary bytes taken as a segment
// file: the recovery scan (tail classification, resync search, index
// rebuild), the sequential record reader, the sparse index parser and the
// watermarks/topic.meta decoders. None may crash, and their answers must agree.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "bus/log/offset_index.h"
#include "bus/log/record_format.h"
#include "bus/log/segment_reader.h"
#include "bus/log/segment_scan.h"
#include "bus/log/topic_files.h"
#include "core/check.h"
#include "io/file_system.h"

namespace {

using namespace pinpipe;
using namespace pinpipe::bus::log;

class MemoryFile final : public io::RandomAccessFile {
 public:
  explicit MemoryFile(std::string_view data) : data_(data) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<char> buf) const override {
    if (offset >= data_.size()) return size_t{0};
    size_t n = std::min(buf.size(), data_.size() - static_cast<size_t>(offset));
    std::memcpy(buf.data(), data_.data() + offset, n);
    return n;
  }
  Result<uint64_t> Size() const override { return static_cast<uint64_t>(data_.size()); }

 private:
  std::string_view data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The base offset the file name would give: the header's, so valid-looking
  // segments get past the header check, else 0.
  bus::Offset base = 0;
  if (size >= kSegmentHeaderSize) std::memcpy(&base, data + 8, sizeof base);
  MemoryFile file(bytes);

  auto scan = ScanSegment(file, base, 64);
  PINPIPE_CHECK(scan.ok());
  PINPIPE_CHECK(scan->valid_bytes <= size);
  PINPIPE_CHECK(scan->file_size == size);
  PINPIPE_CHECK(scan->records >= 0);
  if (scan->tail == SegmentTail::kClean && size >= kSegmentHeaderSize) PINPIPE_CHECK(scan->valid_bytes == size);

  // The reader sees the same good records the scan counted.
  if (scan->valid_bytes >= kSegmentHeaderSize) {
    SegmentReader reader(&file, kSegmentHeaderSize, 4096);
    int64_t records = 0;
    for (;;) {
      RecordView rec;
      std::string why;
      auto outcome = reader.Next(&rec, &why);
      PINPIPE_CHECK(outcome.ok());
      if (*outcome != ReadOutcome::kRecord || rec.offset != base + records) break;
      PINPIPE_CHECK(rec.key.size() + rec.value.size() + kRecordHeaderSize == rec.size);
      ++records;
    }
    PINPIPE_CHECK(records == scan->records);
  }

  // The same bytes as an index, a watermarks file and a topic.meta.
  auto entries = ParseIndex(bytes, size);
  for (size_t i = 1; i < entries.size(); ++i) PINPIPE_CHECK(entries[i].position > entries[i - 1].position);
  if (!entries.empty()) (void)FindIndexEntry(entries, entries.back().relative_offset);
  (void)DecodeWatermarks(bytes);
  (void)DecodeTopicMeta(bytes, "fuzz");
  return 0;
}
