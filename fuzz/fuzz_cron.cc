// libFuzzer target for the scheduler's cron parser. Whatever the text, Parse
// returns a value or an error (no crash, no hang); for an accepted schedule,
// Next is strictly later than its argument, falls on a whole minute, and is a
// fixed point of itself (Next(t) - 1 µs yields Next(t) again).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "schedule/cron_schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;  // real expressions are short; longer adds nothing
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto schedule = pinpipe::schedule::CronSchedule::Parse(text);
  if (!schedule.ok()) return 0;
  // 2026-11-26T10:17:23.5Z: mid-minute, so the minute rounding is exercised.
  constexpr pinpipe::UnixMicros kFrom = 1'795'688'243'500'000;
  auto next = schedule->Next(kFrom);
  if (!next.ok()) return 0;  // no fire time within 5 years, e.g. Feb 30
  if (*next <= kFrom || *next % (60 * pinpipe::kMicrosPerSecond) != 0) {
    std::fprintf(stderr, "cron %.*s: Next(%lld) = %lld\n", static_cast<int>(size), text.data(),
                 static_cast<long long>(kFrom), static_cast<long long>(*next));
    std::abort();
  }
  auto again = schedule->Next(*next - 1);
  if (!again.ok() || *again != *next) std::abort();
  return 0;
}
