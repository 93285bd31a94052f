// BinaryArray: ndim, has-nulls flag, element OID, (size, lower bound), then
// each element as a 4-byte length (-1 = NULL) and its bytes (array_recv).
#include "sinks/postgres/binary_array.h"

#include <vector>

#include "core/check.h"
#include "sinks/live_sink.h"
#include "sinks/postgres/copy_binary_writer.h"

namespace pinpipe::sinks::postgres {
namespace {
constexpr size_t kHasNullsAt = 4;  // byte offset of the has-nulls flag
}  // namespace

void BinaryArray::PutU32(uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  buf_.append(b, 4);
}

void BinaryArray::PutU64(uint64_t v) {
  PutU32(static_cast<uint32_t>(v >> 32));
  PutU32(static_cast<uint32_t>(v));
}

void BinaryArray::Reset(uint32_t element_oid, size_t count) {
  buf_.clear();
  expected_ = count;
  added_ = 0;
  has_nulls_ = false;
  PutU32(1);  // dimensions
  PutU32(0);  // has nulls, patched in Finish
  PutU32(element_oid);
  PutU32(static_cast<uint32_t>(count));
  PutU32(1);  // lower bound
}

void BinaryArray::Null() {
  PutU32(0xFFFFFFFFu);
  has_nulls_ = true;
  ++added_;
}

void BinaryArray::Text(std::string_view s) {
  if (IsStorableText(s)) {
    PutU32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
  } else {
    std::string fixed = ToStorableText(s);
    PutU32(static_cast<uint32_t>(fixed.size()));
    buf_.append(fixed);
  }
  ++added_;
}

void BinaryArray::Int32(int32_t v) {
  PutU32(4);
  PutU32(static_cast<uint32_t>(v));
  ++added_;
}

void BinaryArray::Int64(int64_t v) {
  PutU32(8);
  PutU64(static_cast<uint64_t>(v));
  ++added_;
}

void BinaryArray::Bool(bool v) {
  PutU32(1);
  buf_.push_back(v ? 1 : 0);
  ++added_;
}

void BinaryArray::Timestamp(UnixMicros t) {
  PutU32(8);
  PutU64(static_cast<uint64_t>(t - kPostgresEpochUnixMicros));
  ++added_;
}

std::string_view BinaryArray::Finish() {
  PINPIPE_CHECK(added_ == expected_);
  buf_[kHasNullsAt + 3] = has_nulls_ ? 1 : 0;
  return buf_;
}

void AppendTextArrayLiteral(const std::vector<std::string>& items, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->push_back(',');
    std::string storable = IsStorableText(items[i]) ? std::string() : ToStorableText(items[i]);
    std::string_view s = storable.empty() ? std::string_view(items[i]) : std::string_view(storable);
    out->push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out->push_back('\\');
      out->push_back(c);
    }
    out->push_back('"');
  }
  out->push_back('}');
}

}  // namespace pinpipe::sinks::postgres
