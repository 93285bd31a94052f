// Record and segment-header encoding and checked decoding.
#include "bus/log/record_format.h"

#include "bus/log/coding.h"
#include "bus/log/crc32c.h"

namespace pinpipe::bus::log {
namespace {

// The CRC covers every byte of the record but the CRC field itself.
uint32_t RecordCrc(const char* record, size_t framed_size) {
  uint32_t crc = Crc32cExtend(0, record, 4);
  return Crc32cExtend(crc, record + kRecordPrefixSize, framed_size - kRecordPrefixSize);
}

}  // namespace

void EncodeRecord(std::string* out, Offset offset, UnixMicros timestamp, std::string_view key,
                  std::string_view value) {
  const size_t start = out->size();
  const size_t framed = FramedSize(key.size(), value.size());
  out->resize(start + kRecordHeaderSize);
  char* h = out->data() + start;
  EncodeFixed32(h, static_cast<uint32_t>(framed - kRecordPrefixSize));
  EncodeFixed64(h + 8, static_cast<uint64_t>(offset));
  EncodeFixed64(h + 16, static_cast<uint64_t>(timestamp));
  EncodeFixed32(h + 24, static_cast<uint32_t>(key.size()));
  out->append(key);
  out->append(value);
  char* rec = out->data() + start;
  EncodeFixed32(rec + 4, RecordCrc(rec, framed));
}

ParseOutcome ParseRecord(std::string_view bytes, RecordView* out, size_t* needed, std::string* why) {
  if (bytes.size() < kRecordPrefixSize) {
    *needed = kRecordHeaderSize;
    return ParseOutcome::kNeedMore;
  }
  const uint32_t length = DecodeFixed32(bytes.data());
  if (length < kRecordHeaderSize - kRecordPrefixSize || length > kMaxRecordBytes) {
    *why = "record length " + std::to_string(length) + " is out of bounds";
    return ParseOutcome::kCorrupt;
  }
  const size_t framed = kRecordPrefixSize + length;
  if (bytes.size() < framed) {
    *needed = framed;
    return ParseOutcome::kNeedMore;
  }
  const uint32_t stored = DecodeFixed32(bytes.data() + 4);
  const uint32_t actual = RecordCrc(bytes.data(), framed);
  if (stored != actual) {
    *why = "checksum mismatch";
    return ParseOutcome::kCorrupt;
  }
  const uint32_t key_len = DecodeFixed32(bytes.data() + 24);
  if (key_len > framed - kRecordHeaderSize) {
    *why = "key length " + std::to_string(key_len) + " exceeds the record";
    return ParseOutcome::kCorrupt;
  }
  out->offset = static_cast<Offset>(DecodeFixed64(bytes.data() + 8));
  out->timestamp = static_cast<UnixMicros>(DecodeFixed64(bytes.data() + 16));
  out->key = bytes.substr(kRecordHeaderSize, key_len);
  out->value = bytes.substr(kRecordHeaderSize + key_len, framed - kRecordHeaderSize - key_len);
  out->size = framed;
  return ParseOutcome::kRecord;
}

std::string EncodeSegmentHeader(Offset base_offset) {
  std::string out;
  PutFixed32(&out, kSegmentMagic);
  PutFixed32(&out, kFormatVersion);
  PutFixed64(&out, static_cast<uint64_t>(base_offset));
  return out;
}

Status CheckSegmentHeader(std::string_view bytes, Offset base_offset, const std::string& path) {
  if (bytes.size() < kSegmentHeaderSize) {
    return Status::Corruption(path + ": segment header is truncated (" + std::to_string(bytes.size()) +
                              " bytes)");
  }
  if (DecodeFixed32(bytes.data()) != kSegmentMagic) {
    return Status::Corruption(path + " position 0: not a pinpipe log segment (bad magic)");
  }
  uint32_t version = DecodeFixed32(bytes.data() + 4);
  if (version != kFormatVersion) {
    return Status::Corruption(path + " position 4: unsupported segment format version " +
                              std::to_string(version));
  }
  auto base = static_cast<Offset>(DecodeFixed64(bytes.data() + 8));
  if (base != base_offset) {
    return Status::Corruption(path + " position 8: header says base offset " + std::to_string(base) +
                              ", the file name says " + std::to_string(base_offset));
  }
  return Status::Ok();
}

}  // namespace pinpipe::bus::log
