// Time comes only through a Clock, so tests drive hours, days and timeouts
// without sleeping. Also the UTC text forms the pipeline uses everywhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pinpipe {

// Microseconds since the Unix epoch, UTC.
using UnixMicros = int64_t;

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), for timestamps that leave the process.
  virtual UnixMicros NowMicros() const = 0;
  // Monotonic time, for durations and deadlines.
  virtual int64_t MonotonicMicros() const = 0;
};

// The process-wide real clock; never null, never freed.
Clock* RealClock();

// A clock that moves only when told to. Thread-safe. Both readings return the
// same value, which starts at `start`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMicros start) : now_(start) {}
  UnixMicros NowMicros() const override { return now_.load(); }
  int64_t MonotonicMicros() const override { return now_.load(); }
  void Set(UnixMicros t) { now_.store(t); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }

 private:
  std::atomic<int64_t> now_;
};

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// "2026-11-26T10:00:00.123456Z".
std::string FormatRfc3339Micros(UnixMicros t);
// The same text appended to *out (no allocation when it has room).
void AppendRfc3339Micros(UnixMicros t, std::string* out);
// Parses RFC 3339 with a 'Z' or ±HH:MM offset and 0-9 fraction digits.
Result<UnixMicros> ParseRfc3339Micros(std::string_view text);
// "2026-11-26" (UTC date of t).
std::string FormatDate(UnixMicros t);
// Midnight UTC of a "YYYY-MM-DD" date; rejects impossible dates.
Result<UnixMicros> ParseDate(std::string_view text);

}  // namespace pinpipe
