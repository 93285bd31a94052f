// Five-field cron expressions (minute hour day-of-month month day-of-week,
// UTC) and the next fire time after a given instant: when the daily DAG runs.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace pinpipe::schedule {

// Immutable value; thread-safe.
class CronSchedule {
 public:
  // Accepts `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`,
  // day-of-week 0-7 (0 and 7 are Sunday), and @hourly/@daily/@weekly/@monthly.
  // As in Vixie cron, when both day fields are restricted either may match.
  static Result<CronSchedule> Parse(std::string_view text);

  // The first fire time strictly after `after` (minute resolution, UTC).
  // kNotFound when none exists within the next 5 years (e.g. "0 0 30 2 *").
  Result<UnixMicros> Next(UnixMicros after) const;

  const std::string& text() const { return text_; }

 private:
  bool DayMatches(int64_t days_since_epoch) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0..6, Sunday = 0
  bool dom_restricted_ = false;
  bool dow_restricted_ = false;
};

}  // namespace pinpipe::schedule
