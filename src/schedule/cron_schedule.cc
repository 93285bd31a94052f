// Cron parsing and next-fire computation, day by day then within the day.
#include "schedule/cron_schedule.h"

#include <charconv>
#include <chrono>
#include <vector>

namespace pinpipe::schedule {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Sets bits [lo, hi] of one field from its text; `*` leaves *restricted false.
template <size_t N>
Status ParseField(std::string_view text, int lo, int hi, std::string_view name, std::bitset<N>* bits,
                  bool* restricted) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("cron " + std::string(name) + " field '" + std::string(text) +
                                   "': " + std::string(why));
  };
  *restricted = text != "*";
  for (std::string_view item : Split(text, ',')) {
    int step = 1;
    size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      if (!ParseInt(item.substr(slash + 1), &step) || step <= 0) return bad("bad step");
      item = item.substr(0, slash);
    }
    int a = lo, b = hi;
    if (item != "*") {
      size_t dash = item.find('-');
      if (dash == std::string_view::npos) {
        if (!ParseInt(item, &a)) return bad("not a number");
        b = slash == std::string_view::npos ? a : hi;
      } else if (!ParseInt(item.substr(0, dash), &a) || !ParseInt(item.substr(dash + 1), &b)) {
        return bad("bad range");
      }
    }
    if (a < lo || b > hi || a > b) {
      return bad("out of range " + std::to_string(lo) + "-" + std::to_string(hi));
    }
    for (int v = a; v <= b; v += step) bits->set(static_cast<size_t>(v % static_cast<int>(N)));
  }
  return Status::Ok();
}

std::string_view ExpandAlias(std::string_view text) {
  if (text == "@hourly") return "0 * * * *";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@monthly") return "0 0 1 * *";
  return text;
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  CronSchedule c;
  c.text_ = std::string(text);
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(ExpandAlias(text), ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument("cron '" + std::string(text) +
                                   "' needs 5 fields: minute hour day-of-month month day-of-week");
  }
  bool unused;
  std::bitset<8> dow8;
  PINPIPE_RETURN_IF_ERROR(ParseField(fields[0], 0, 59, "minute", &c.minutes_, &unused));
  PINPIPE_RETURN_IF_ERROR(ParseField(fields[1], 0, 23, "hour", &c.hours_, &unused));
  PINPIPE_RETURN_IF_ERROR(ParseField(fields[2], 1, 31, "day-of-month", &c.days_of_month_, &c.dom_restricted_));
  PINPIPE_RETURN_IF_ERROR(ParseField(fields[3], 1, 12, "month", &c.months_, &unused));
  PINPIPE_RETURN_IF_ERROR(ParseField(fields[4], 0, 7, "day-of-week", &dow8, &c.dow_restricted_));
  for (size_t i = 0; i < 8; ++i) {
    if (dow8[i]) c.days_of_week_.set(i % 7);
  }
  return c;
}

bool CronSchedule::DayMatches(int64_t days) const {
  using namespace std::chrono;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  if (!months_[static_cast<unsigned>(ymd.month())]) return false;
  bool dom = days_of_month_[static_cast<unsigned>(ymd.day())];
  bool dow = days_of_week_[weekday{sys_days{std::chrono::days{days}}}.c_encoding()];
  if (dom_restricted_ && dow_restricted_) return dom || dow;
  return dom && dow;
}

Result<UnixMicros> CronSchedule::Next(UnixMicros after) const {
  constexpr int64_t kMinute = 60 * kMicrosPerSecond;
  // First whole minute strictly after `after`.
  int64_t t = (after >= 0 ? after / kMinute : (after - kMinute + 1) / kMinute) * kMinute + kMinute;
  int64_t day = t >= 0 ? t / kMicrosPerDay : (t - kMicrosPerDay + 1) / kMicrosPerDay;
  int start_minute = static_cast<int>((t - day * kMicrosPerDay) / kMinute);
  for (int i = 0; i < 5 * 366; ++i, ++day, start_minute = 0) {
    if (!DayMatches(day)) continue;
    for (int m = start_minute; m < 24 * 60; ++m) {
      if (hours_[static_cast<size_t>(m / 60)] && minutes_[static_cast<size_t>(m % 60)]) {
        return day * kMicrosPerDay + m * kMinute;
      }
    }
  }
  return Status::NotFound("cron '" + text_ + "' never fires in the next 5 years");
}

}  // namespace pinpipe::schedule
