// Real clock and UTC formatting/parsing (std::chrono calendar types).
#include "core/clock.h"

#include <chrono>
#include <cstdio>

namespace pinpipe {
namespace {

class SystemClock final : public Clock {
 public:
  UnixMicros NowMicros() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMicros() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since epoch for a valid civil date, or false.
bool CivilDays(int y, int m, int d, int64_t* days) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  *days = sys_days{ymd}.time_since_epoch().count();
  return true;
}

}  // namespace

Clock* RealClock() {
  static SystemClock* clock = new SystemClock();
  return clock;
}

std::string FormatRfc3339Micros(UnixMicros t) {
  std::string out;
  AppendRfc3339Micros(t, &out);
  return out;
}

void AppendRfc3339Micros(UnixMicros t, std::string* out) {
  using namespace std::chrono;
  int64_t days = FloorDiv(t, kMicrosPerDay);
  int64_t rem = t - days * kMicrosPerDay;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  const int year = static_cast<int>(ymd.year());
  int64_t secs = rem / kMicrosPerSecond;
  if (year < 0 || year > 9999) {  // rare: let printf size the year
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60), static_cast<int>(rem % kMicrosPerSecond));
    out->append(buf);
    return;
  }
  // Fixed width, digits written directly: every stored and logged
  // timestamp passes here (snprintf was a visible share of rendering a
  // day's clean zone).
  char buf[] = "0000-00-00T00:00:00.000000Z";
  auto put = [&buf](int pos, int width, int64_t v) {
    for (int i = pos + width - 1; i >= pos; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
  };
  put(0, 4, year);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, secs / 3600);
  put(14, 2, secs / 60 % 60);
  put(17, 2, secs % 60);
  put(20, 6, rem % kMicrosPerSecond);
  out->append(buf, sizeof buf - 1);
}

std::string FormatDate(UnixMicros t) { return FormatRfc3339Micros(t).substr(0, 10); }

Result<UnixMicros> ParseDate(std::string_view text) {
  int y, m, d;
  int64_t days;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text, 0, 4, &y) ||
      !ParseDigits(text, 5, 2, &m) || !ParseDigits(text, 8, 2, &d) || !CivilDays(y, m, d, &days)) {
    return Status::InvalidArgument("not a date YYYY-MM-DD: '" + std::string(text) + "'");
  }
  return days * kMicrosPerDay;
}

Result<UnixMicros> ParseRfc3339Micros(std::string_view s) {
  auto bad = [&] { return Status::InvalidArgument("not an RFC 3339 time: '" + std::string(s) + "'"); };
  int hh, mm, ss;
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return bad();
  auto date = ParseDate(s.substr(0, 10));
  if (!date.ok()) return bad();
  if (!ParseDigits(s, 11, 2, &hh) || s[13] != ':' || !ParseDigits(s, 14, 2, &mm) || s[16] != ':' ||
      !ParseDigits(s, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) frac = frac * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return bad();
    for (int i = digits; i < 6; ++i) frac *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    // UTC
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!ParseDigits(s, pos + 1, 2, &oh) || !ParseDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = (oh * 3600 + om * 60) * kMicrosPerSecond * (s[pos] == '+' ? 1 : -1);
  } else {
    return bad();
  }
  return *date + (hh * 3600 + mm * 60 + ss) * kMicrosPerSecond + frac - offset;
}

}  // namespace pinpipe
