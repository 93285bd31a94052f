// BinaryArray: ndim, has-nulls flag, element OID, (size, lower bound), then
// each element as a 4-byte length (-1 = NULL) and its bytes (array_recv).
#include "sinks/postgres/binary_array.h"

#include <vector>

#include "core/check.h"
#include "sinks/live_sink.h"
#include "sinks/postgres/binary_value.h"

namespace pinpipe::sinks::postgres {
namespace {
constexpr size_t kHasNullsAt = 4;  // byte offset of the has-nulls flag
}  // namespace

void BinaryArray::Reset(uint32_t element_oid, size_t count) {
  buf_.clear();
  expected_ = count;
  added_ = 0;
  has_nulls_ = false;
  PutU32(1, &buf_);  // dimensions
  PutU32(0, &buf_);  // has nulls, patched in Finish
  PutU32(element_oid, &buf_);
  PutU32(static_cast<uint32_t>(count), &buf_);
  PutU32(1, &buf_);  // lower bound
}

void BinaryArray::Null() {
  PutNullValue(&buf_);
  has_nulls_ = true;
  ++added_;
}

void BinaryArray::Text(std::string_view s) {
  PutTextValue(s, &buf_);
  ++added_;
}

void BinaryArray::Int32(int32_t v) {
  PutInt32Value(v, &buf_);
  ++added_;
}

void BinaryArray::Int64(int64_t v) {
  PutInt64Value(v, &buf_);
  ++added_;
}

void BinaryArray::Bool(bool v) {
  PutBoolValue(v, &buf_);
  ++added_;
}

void BinaryArray::Timestamp(UnixMicros t) {
  PutTimestampValue(t, &buf_);
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
