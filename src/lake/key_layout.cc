// Building and parsing lake keys. Parsing is strict (canonical text only) so
// a key round-trips exactly and foreign files are ignored, not misread.
#include "lake/key_layout.h"

#include <fmt/format.h>

#include <charconv>

namespace pinpipe::lake {
namespace {

// Consumes `literal` from the front of *s.
bool Eat(std::string_view* s, std::string_view literal) {
  if (!s->starts_with(literal)) return false;
  s->remove_prefix(literal.size());
  return true;
}

// Consumes a canonical non-negative decimal (no sign, no leading zeros
// except "0") ending at `stop`.
bool EatNumber(std::string_view* s, char stop, int64_t* out) {
  size_t end = s->find(stop);
  if (end == std::string_view::npos || end == 0) return false;
  std::string_view digits = s->substr(0, end);
  if (digits.size() > 1 && digits.front() == '0') return false;
  if (digits.front() < '0' || digits.front() > '9') return false;  // from_chars takes "-0" as 0
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || *out < 0) return false;
  s->remove_prefix(end + 1);
  return true;
}

// Consumes "dt=YYYY-MM-DD/hr=HH/" and returns that hour.
std::optional<LakeHour> EatHour(std::string_view* s) {
  if (!Eat(s, "dt=") || s->size() < 11 || (*s)[10] != '/') return std::nullopt;
  auto day = ParseDate(s->substr(0, 10));
  if (!day.ok() || FormatDate(*day) != s->substr(0, 10)) return std::nullopt;
  s->remove_prefix(11);
  if (!Eat(s, "hr=") || s->size() < 3 || (*s)[2] != '/') return std::nullopt;
  char h0 = (*s)[0], h1 = (*s)[1];
  if (h0 < '0' || h0 > '2' || h1 < '0' || h1 > '9') return std::nullopt;
  int hour = (h0 - '0') * 10 + (h1 - '0');
  if (hour > 23) return std::nullopt;
  s->remove_prefix(3);
  return LakeHour{*day + hour * kMicrosPerHour};
}

}  // namespace

LakeHour LakeHour::Of(UnixMicros t) {
  int64_t h = t / kMicrosPerHour;
  if (t % kMicrosPerHour < 0) --h;  // floor for times before the epoch
  return {h * kMicrosPerHour};
}

std::string LakeHour::Date() const { return FormatDate(start); }

int LakeHour::Hour() const {
  int64_t in_day = start % kMicrosPerDay;
  if (in_day < 0) in_day += kMicrosPerDay;
  return static_cast<int>(in_day / kMicrosPerHour);
}

bool IsValidDatasetName(std::string_view dataset) {
  if (dataset.empty() || dataset.size() > 64) return false;
  for (char c : dataset) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RawPrefix(std::string_view dataset) { return fmt::format("raw/{}/", dataset); }

std::string RawDatePrefix(std::string_view dataset, std::string_view date) {
  return fmt::format("raw/{}/dt={}/", dataset, date);
}

std::string RawObjectKeyString(std::string_view dataset, const RawObjectKey& key) {
  return fmt::format("raw/{}/dt={}/hr={:02d}/p={}/{}-{}{}", dataset, key.hour.Date(), key.hour.Hour(),
                     key.partition, key.first_offset, key.last_offset, kRawObjectSuffix);
}

std::string RawSuccessKey(std::string_view dataset, LakeHour hour) {
  return fmt::format("raw/{}/dt={}/hr={:02d}/{}", dataset, hour.Date(), hour.Hour(), kSuccessName);
}

std::string CleanDatePrefix(std::string_view dataset, std::string_view date) {
  return fmt::format("clean/{}/dt={}/", dataset, date);
}

std::string CleanPartKey(std::string_view dataset, std::string_view date, int part) {
  return fmt::format("clean/{}/dt={}/part-{:04d}{}", dataset, date, part, kRawObjectSuffix);
}

std::string CleanSuccessKey(std::string_view dataset, std::string_view date) {
  return fmt::format("clean/{}/dt={}/{}", dataset, date, kSuccessName);
}

std::optional<RawObjectKey> ParseRawObjectKey(std::string_view dataset, std::string_view key) {
  std::string_view s = key;
  if (!Eat(&s, "raw/") || !Eat(&s, dataset) || !Eat(&s, "/")) return std::nullopt;
  RawObjectKey out;
  auto hour = EatHour(&s);
  if (!hour) return std::nullopt;
  out.hour = *hour;
  int64_t partition = 0;
  if (!Eat(&s, "p=") || !EatNumber(&s, '/', &partition) || partition > INT32_MAX) return std::nullopt;
  out.partition = static_cast<int32_t>(partition);
  if (!EatNumber(&s, '-', &out.first_offset) || !EatNumber(&s, '.', &out.last_offset)) return std::nullopt;
  if (s != kRawObjectSuffix.substr(1)) return std::nullopt;  // "ndjson.zst"
  if (out.last_offset < out.first_offset) return std::nullopt;
  return out;
}

std::optional<LakeHour> ParseRawSuccessKey(std::string_view dataset, std::string_view key) {
  std::string_view s = key;
  if (!Eat(&s, "raw/") || !Eat(&s, dataset) || !Eat(&s, "/")) return std::nullopt;
  auto hour = EatHour(&s);
  if (!hour || s != kSuccessName) return std::nullopt;
  return hour;
}

std::optional<int> ParseCleanPartKey(std::string_view dataset, std::string_view date, std::string_view key) {
  std::string_view s = key;
  if (!Eat(&s, "clean/") || !Eat(&s, dataset) || !Eat(&s, "/dt=") || !Eat(&s, date) ||
      !Eat(&s, "/part-")) {
    return std::nullopt;
  }
  if (s.size() != 4 + kRawObjectSuffix.size() || !s.ends_with(kRawObjectSuffix)) return std::nullopt;
  int part = 0;
  for (char c : s.substr(0, 4)) {
    if (c < '0' || c > '9') return std::nullopt;
    part = part * 10 + (c - '0');
  }
  return part;
}

}  // namespace pinpipe::lake
