// Builds data for `COPY ... FROM STDIN (FORMAT binary)`: PostgreSQL's binary
// tuple format (big-endian lengths and values), so the server parses no text
// for integers, booleans, timestamps or arrays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace pinpipe::sinks::postgres {

// Owned by one thread. Usage: Reset(); per row BeginRow(n) then n fields;
// Finish() returns the whole COPY payload.
class CopyBinaryWriter {
 public:
  CopyBinaryWriter() { Reset(); }

  // Starts a new payload (writes the file header).
  void Reset();
  void BeginRow(int16_t field_count);
  void Null();
  // Text is stored as valid UTF-8 without NUL (sinks::ToStorableText).
  void Text(std::string_view s);
  void Int32(int32_t v);
  void Int64(int64_t v);
  void Bool(bool v);
  // timestamptz from microseconds since the Unix epoch.
  void Timestamp(UnixMicros t);
  // text[] (one dimension; an empty vector is the empty array '{}').
  void TextArray(const std::vector<std::string>& items);

  // Appends the trailer; the payload stays valid until the next Reset.
  std::string_view Finish();
  size_t size() const { return buf_.size(); }
  // For streaming: the bytes written since the last DropBuffered (the header
  // first), and forgetting them once sent. Finish() then returns the rest.
  std::string_view buffered() const { return buf_; }
  void DropBuffered() { buf_.clear(); }
  int64_t rows() const { return rows_; }

 private:
  std::string buf_;
  int64_t rows_ = 0;
};

}  // namespace pinpipe::sinks::postgres
