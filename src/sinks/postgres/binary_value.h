// One value in PostgreSQL's binary send format, as both a COPY BINARY field
// and a binary array element carry it: a 4-byte big-endian length (-1 for
// NULL), then the value's bytes (network byte order for numbers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "sinks/live_sink.h"

namespace pinpipe::sinks::postgres {

// PostgreSQL's timestamp epoch (2000-01-01) in Unix microseconds.
inline constexpr int64_t kPostgresEpochUnixMicros = 946'684'800LL * 1'000'000;

inline void PutU16(uint16_t v, std::string* out) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 2);
}

inline void PutU32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

inline void PutU64(uint64_t v, std::string* out) {
  PutU32(static_cast<uint32_t>(v >> 32), out);
  PutU32(static_cast<uint32_t>(v), out);
}

inline void PutNullValue(std::string* out) { PutU32(0xFFFFFFFFu, out); }

// Stored as valid UTF-8 without NUL (sinks::ToStorableText).
inline void PutTextValue(std::string_view s, std::string* out) {
  if (IsStorableText(s)) {
    PutU32(static_cast<uint32_t>(s.size()), out);
    out->append(s);
  } else {
    std::string fixed = ToStorableText(s);
    PutU32(static_cast<uint32_t>(fixed.size()), out);
    out->append(fixed);
  }
}

inline void PutInt32Value(int32_t v, std::string* out) {
  PutU32(4, out);
  PutU32(static_cast<uint32_t>(v), out);
}

inline void PutInt64Value(int64_t v, std::string* out) {
  PutU32(8, out);
  PutU64(static_cast<uint64_t>(v), out);
}

inline void PutBoolValue(bool v, std::string* out) {
  PutU32(1, out);
  out->push_back(v ? 1 : 0);
}

// timestamptz from microseconds since the Unix epoch.
inline void PutTimestampValue(UnixMicros t, std::string* out) {
  PutU32(8, out);
  PutU64(static_cast<uint64_t>(t - kPostgresEpochUnixMicros), out);
}

// A nullable text, bigint or boolean column for either binary writer
// (CopyBinaryWriter, BinaryArray): its value, or NULL. A nullable timestamp
// (also an optional<int64_t>) is written by the caller: Timestamp, not Int64.
template <typename Writer>
void PutOptional(Writer& w, const std::optional<std::string>& v) {
  if (v) {
    w.Text(*v);
  } else {
    w.Null();
  }
}
template <typename Writer>
void PutOptional(Writer& w, const std::optional<int64_t>& v) {
  if (v) {
    w.Int64(*v);
  } else {
    w.Null();
  }
}
template <typename Writer>
void PutOptional(Writer& w, const std::optional<bool>& v) {
  if (v) {
    w.Bool(*v);
  } else {
    w.Null();
  }
}

}  // namespace pinpipe::sinks::postgres
