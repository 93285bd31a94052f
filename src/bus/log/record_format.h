// The bytes of a segment file: a 16-byte header, then records framed as
// length + CRC-32C + offset + timestamp + key length + key + value, all
// little-endian (docs/log-format.md is the specification).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bus/bus.h"
#include "core/status.h"

namespace pinpipe::bus::log {

inline constexpr uint32_t kSegmentMagic = 0x474c5050;  // bytes "PPLG"
inline constexpr uint32_t kFormatVersion = 1;
// magic u32 | version u32 | base offset i64
inline constexpr size_t kSegmentHeaderSize = 16;

// length u32 | crc u32 | offset i64 | timestamp i64 | key length u32
inline constexpr size_t kRecordHeaderSize = 28;
// The bytes before what `length` counts (length and crc fields).
inline constexpr size_t kRecordPrefixSize = 8;
// Bounds a corrupt length field before anything is allocated for it.
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

// A record decoded in place; views point into the buffer it was parsed from.
struct RecordView {
  Offset offset = 0;
  UnixMicros timestamp = 0;
  std::string_view key;
  std::string_view value;
  size_t size = 0;  // framed bytes on disk
};

// Bytes a record with these key and value lengths takes on disk.
inline size_t FramedSize(size_t key_len, size_t value_len) {
  return kRecordHeaderSize + key_len + value_len;
}

// Appends one framed record to `out`.
void EncodeRecord(std::string* out, Offset offset, UnixMicros timestamp, std::string_view key,
                  std::string_view value);

enum class ParseOutcome {
  kRecord,    // *out holds the record
  kNeedMore,  // `bytes` ends inside the record; *needed says how many bytes it takes
  kCorrupt,   // the bytes are not a record (*why says what is wrong)
};

// Parses the record at the start of `bytes`.
ParseOutcome ParseRecord(std::string_view bytes, RecordView* out, size_t* needed, std::string* why);

std::string EncodeSegmentHeader(Offset base_offset);
// kCorruption naming `path` unless `bytes` is a header for `base_offset`.
Status CheckSegmentHeader(std::string_view bytes, Offset base_offset, const std::string& path);

}  // namespace pinpipe::bus::log
