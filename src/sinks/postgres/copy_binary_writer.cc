// CopyBinaryWriter: the PGCOPY binary layout (see the PostgreSQL manual, COPY,
// "Binary Format"): signature, flags, extension length; per tuple a field
// count and length-prefixed values; a -1 field count as trailer.
#include "sinks/postgres/copy_binary_writer.h"

#include "sinks/live_sink.h"
#include "sinks/postgres/binary_array.h"
#include "sinks/postgres/binary_value.h"

namespace pinpipe::sinks::postgres {
namespace {

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with the NUL

}  // namespace

void CopyBinaryWriter::Reset() {
  buf_.clear();
  rows_ = 0;
  buf_.append(kSignature, sizeof kSignature);  // includes the trailing NUL
  PutU32(0, &buf_);                            // flags: no OIDs
  PutU32(0, &buf_);                            // header extension length
}

void CopyBinaryWriter::BeginRow(int16_t field_count) {
  PutU16(static_cast<uint16_t>(field_count), &buf_);
  ++rows_;
}

void CopyBinaryWriter::Null() { PutNullValue(&buf_); }

void CopyBinaryWriter::Text(std::string_view s) { PutTextValue(s, &buf_); }

void CopyBinaryWriter::Int32(int32_t v) { PutInt32Value(v, &buf_); }

void CopyBinaryWriter::Int64(int64_t v) { PutInt64Value(v, &buf_); }

void CopyBinaryWriter::Bool(bool v) { PutBoolValue(v, &buf_); }

void CopyBinaryWriter::Timestamp(UnixMicros t) { PutTimestampValue(t, &buf_); }

void CopyBinaryWriter::TextArray(const std::vector<std::string>& items) {
  size_t length_at = buf_.size();
  PutU32(0, &buf_);  // patched below
  size_t start = buf_.size();
  if (items.empty()) {
    PutU32(0, &buf_);  // dimensions
    PutU32(0, &buf_);  // has nulls
    PutU32(kTextOid, &buf_);
  } else {
    PutU32(1, &buf_);
    PutU32(0, &buf_);
    PutU32(kTextOid, &buf_);
    PutU32(static_cast<uint32_t>(items.size()), &buf_);
    PutU32(1, &buf_);  // lower bound
    for (const std::string& item : items) PutTextValue(item, &buf_);
  }
  uint32_t length = static_cast<uint32_t>(buf_.size() - start);
  for (int i = 0; i < 4; ++i) buf_[length_at + i] = static_cast<char>(length >> (24 - 8 * i));
}

std::string_view CopyBinaryWriter::Finish() {
  PutU16(0xFFFF, &buf_);
  return buf_;
}

}  // namespace pinpipe::sinks::postgres
