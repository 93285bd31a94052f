// CopyBinaryWriter: the PGCOPY binary layout (see the PostgreSQL manual, COPY,
// "Binary Format"): signature, flags, extension length; per tuple a field
// count and length-prefixed values; a -1 field count as trailer.
#include "sinks/postgres/copy_binary_writer.h"

#include "sinks/live_sink.h"
#include "sinks/postgres/binary_array.h"

namespace pinpipe::sinks::postgres {
namespace {

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with the NUL

}  // namespace

void CopyBinaryWriter::Reset() {
  buf_.clear();
  rows_ = 0;
  buf_.append(kSignature, sizeof kSignature);  // includes the trailing NUL
  PutU32(0);                                   // flags: no OIDs
  PutU32(0);                                   // header extension length
}

void CopyBinaryWriter::PutU16(uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  buf_.append(b, 2);
}

void CopyBinaryWriter::PutU32(uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  buf_.append(b, 4);
}

void CopyBinaryWriter::PutU64(uint64_t v) {
  PutU32(static_cast<uint32_t>(v >> 32));
  PutU32(static_cast<uint32_t>(v));
}

void CopyBinaryWriter::PutText(std::string_view s) {
  if (IsStorableText(s)) {
    PutU32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
  } else {
    std::string fixed = ToStorableText(s);
    PutU32(static_cast<uint32_t>(fixed.size()));
    buf_.append(fixed);
  }
}

void CopyBinaryWriter::BeginRow(int16_t field_count) {
  PutU16(static_cast<uint16_t>(field_count));
  ++rows_;
}

void CopyBinaryWriter::Null() { PutU32(0xFFFFFFFFu); }

void CopyBinaryWriter::Text(std::string_view s) { PutText(s); }

void CopyBinaryWriter::Int32(int32_t v) {
  PutU32(4);
  PutU32(static_cast<uint32_t>(v));
}

void CopyBinaryWriter::Int64(int64_t v) {
  PutU32(8);
  PutU64(static_cast<uint64_t>(v));
}

void CopyBinaryWriter::Bool(bool v) {
  PutU32(1);
  buf_.push_back(v ? 1 : 0);
}

void CopyBinaryWriter::Timestamp(UnixMicros t) {
  PutU32(8);
  PutU64(static_cast<uint64_t>(t - kPostgresEpochUnixMicros));
}

void CopyBinaryWriter::TextArray(const std::vector<std::string>& items) {
  size_t length_at = buf_.size();
  PutU32(0);  // patched below
  size_t start = buf_.size();
  if (items.empty()) {
    PutU32(0);  // dimensions
    PutU32(0);  // has nulls
    PutU32(kTextOid);
  } else {
    PutU32(1);
    PutU32(0);
    PutU32(kTextOid);
    PutU32(static_cast<uint32_t>(items.size()));
    PutU32(1);  // lower bound
    for (const std::string& item : items) PutText(item);
  }
  uint32_t length = static_cast<uint32_t>(buf_.size() - start);
  for (int i = 0; i < 4; ++i) buf_[length_at + i] = static_cast<char>(length >> (24 - 8 * i));
}

std::string_view CopyBinaryWriter::Finish() {
  PutU16(0xFFFF);
  return buf_;
}

}  // namespace pinpipe::sinks::postgres
