// A PostgreSQL one-dimensional array in the binary send/receive format, for a
// bound parameter (`unnest($1::text[], …)`): a whole column of a micro-batch
// in one parameter, parsed by the server without any text conversion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace pinpipe::sinks::postgres {

// Element type OIDs (pg_type.oid).
inline constexpr uint32_t kBoolOid = 16;
inline constexpr uint32_t kInt8Oid = 20;
inline constexpr uint32_t kInt4Oid = 23;
inline constexpr uint32_t kTextOid = 25;
inline constexpr uint32_t kTimestampTzOid = 1184;

// Owned by one thread. Usage: Reset(oid, n); n element calls; Finish().
class BinaryArray {
 public:
  // Starts an array of `count` elements of type `element_oid`.
  void Reset(uint32_t element_oid, size_t count);
  void Null();
  // Stored as valid UTF-8 without NUL (sinks::ToStorableText).
  void Text(std::string_view s);
  void Int32(int32_t v);
  void Int64(int64_t v);
  void Bool(bool v);
  // timestamptz from microseconds since the Unix epoch.
  void Timestamp(UnixMicros t);

  // The parameter bytes; valid until the next Reset. REQUIRES: `count`
  // elements were added.
  std::string_view Finish();

 private:
  std::string buf_;
  size_t expected_ = 0;
  size_t added_ = 0;
  bool has_nulls_ = false;
};

// Appends `items` as a PostgreSQL array literal (`{"a","b\"c"}`), for a text
// element that SQL casts to text[]; elements are made storable first.
void AppendTextArrayLiteral(const std::vector<std::string>& items, std::string* out);

}  // namespace pinpipe::sinks::postgres
