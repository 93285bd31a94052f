// Whole-segment scanning with tail classification and resynchronisation.
#include "bus/log/segment_scan.h"

#include <algorithm>

#include "bus/log/coding.h"
#include "bus/log/record_format.h"
#include "bus/log/segment_reader.h"

namespace pinpipe::bus::log {
namespace {

// How far past a bad record to look for a good one (bounds verify's cost).
constexpr uint64_t kResyncWindow = 16u << 20;

Result<bool> AllZero(const io::RandomAccessFile& file, uint64_t from, uint64_t to) {
  std::string buf(static_cast<size_t>(std::min<uint64_t>(64 << 10, to - from)), '\0');
  for (uint64_t pos = from; pos < to;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), to - pos));
    PINPIPE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(pos, std::span<char>(buf.data(), want)));
    if (got == 0) break;
    if (std::any_of(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(got), [](char c) { return c != 0; })) {
      return false;
    }
    pos += got;
  }
  return true;
}

// Whether a good record with an offset >= `expected` starts somewhere in
// (bad, bad + window]: tells a damaged middle record from a damaged tail.
Result<bool> GoodRecordAfter(const io::RandomAccessFile& file, uint64_t bad, uint64_t file_size,
                             Offset expected) {
  uint64_t end = std::min(file_size, bad + kResyncWindow);
  if (end <= bad + 1) return false;
  std::string buf(static_cast<size_t>(end - bad), '\0');
  PINPIPE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(bad, std::span<char>(buf.data(), buf.size())));
  buf.resize(got);
  for (size_t i = 1; i + kRecordHeaderSize <= buf.size(); ++i) {
    auto offset = static_cast<Offset>(DecodeFixed64(buf.data() + i + 8));
    // Unsigned difference: `expected` comes from the file and may be any
    // value, so the signed one can overflow (found by fuzz_log_segment).
    if (offset < expected ||
        static_cast<uint64_t>(offset) - static_cast<uint64_t>(expected) > (1u << 24)) {
      continue;  // cheap filter first
    }
    RecordView view;
    size_t needed = 0;
    std::string why;
    if (ParseRecord(std::string_view(buf).substr(i), &view, &needed, &why) == ParseOutcome::kRecord) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<SegmentScan> ScanSegment(const io::RandomAccessFile& file, Offset base_offset,
                                uint32_t index_interval_bytes) {
  SegmentScan scan;
  scan.next_offset = base_offset;
  PINPIPE_ASSIGN_OR_RETURN(scan.file_size, file.Size());
  std::string header(kSegmentHeaderSize, '\0');
  PINPIPE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(0, std::span<char>(header.data(), header.size())));
  header.resize(got);
  if (got < kSegmentHeaderSize) {
    scan.tail = got == 0 ? SegmentTail::kClean : SegmentTail::kTorn;
    scan.detail = "segment header is incomplete (" + std::to_string(got) + " bytes)";
    return scan;
  }
  Status header_ok = CheckSegmentHeader(header, base_offset, "segment");
  if (!header_ok.ok()) {
    scan.tail = SegmentTail::kCorrupt;
    scan.detail = header_ok.message();
    return scan;
  }
  scan.valid_bytes = kSegmentHeaderSize;
  // Buffer at most the file (small segments, the fuzzer) or 1 MiB.
  SegmentReader reader(&file, kSegmentHeaderSize,
                       static_cast<size_t>(std::min<uint64_t>(1 << 20, scan.file_size)) + kRecordHeaderSize);
  uint64_t last_indexed = kSegmentHeaderSize;
  for (;;) {
    RecordView rec;
    std::string why;
    PINPIPE_ASSIGN_OR_RETURN(ReadOutcome outcome, reader.Next(&rec, &why));
    if (outcome == ReadOutcome::kEnd) break;
    if (outcome == ReadOutcome::kRecord && rec.offset != scan.next_offset) {
      outcome = ReadOutcome::kCorrupt;
      why = "record offset " + std::to_string(rec.offset) + " where " + std::to_string(scan.next_offset) +
            " was expected";
    }
    if (outcome == ReadOutcome::kTorn) {
      scan.tail = SegmentTail::kTorn;
      scan.detail = "incomplete record (" + std::to_string(scan.file_size - scan.valid_bytes) + " bytes)";
      break;
    }
    if (outcome == ReadOutcome::kCorrupt) {
      PINPIPE_ASSIGN_OR_RETURN(bool zeros, AllZero(file, scan.valid_bytes, scan.file_size));
      if (zeros) {
        scan.tail = SegmentTail::kTorn;
        scan.detail = "zero-filled tail (" + std::to_string(scan.file_size - scan.valid_bytes) + " bytes)";
        break;
      }
      scan.tail = SegmentTail::kCorrupt;
      scan.detail = why;
      PINPIPE_ASSIGN_OR_RETURN(scan.good_record_after_bad,
                               GoodRecordAfter(file, scan.valid_bytes, scan.file_size, scan.next_offset));
      break;
    }
    const uint64_t position = scan.valid_bytes;
    scan.max_timestamp = scan.records == 0 ? rec.timestamp : std::max(scan.max_timestamp, rec.timestamp);
    if (position - last_indexed >= index_interval_bytes) {
      scan.index.push_back({static_cast<uint32_t>(rec.offset - base_offset), static_cast<uint32_t>(position),
                            scan.max_timestamp});
      last_indexed = position;
    }
    scan.last_record_position = position;
    scan.valid_bytes += rec.size;
    scan.next_offset = rec.offset + 1;
    ++scan.records;
  }
  return scan;
}

Result<SegmentScan> ScanSegmentFile(io::FileSystem* fs, const std::string& path, Offset base_offset,
                                    uint32_t index_interval_bytes) {
  PINPIPE_ASSIGN_OR_RETURN(auto file, fs->NewRandomAccessFile(path));
  return ScanSegment(*file, base_offset, index_interval_bytes);
}

}  // namespace pinpipe::bus::log
