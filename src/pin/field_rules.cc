// Text rules for follower_count, index, unique_id, media type and
// save_location. Integer arithmetic only, so results are exact and the same
// on every machine.
#include "pin/field_rules.h"

#include <array>

#include "pin/unicode_text.h"

namespace pinpipe::pin {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Plain digits, or digits with `,` between groups of three ("1,234,567"):
// then the first group has 1-3 digits and every later group exactly 3.
std::optional<int64_t> ParseGroupedDigits(std::string_view s) {
  if (s.find(',') == std::string_view::npos) return ParseDigits(s);
  int64_t value = 0;
  size_t group = 0;
  bool first_group = true;
  for (char c : s) {
    if (c == ',') {
      if (group == 0 || (first_group && group > 3) || (!first_group && group != 3)) return {};
      first_group = false;
      group = 0;
      continue;
    }
    if (!IsDigit(c)) return {};
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      return {};
    }
    ++group;
  }
  if (group == 0 || (first_group && group > 3) || (!first_group && group != 3)) return {};
  return value;
}

// "<digits>[.<digits>]" times 10^exp, rounded half up.
std::optional<int64_t> ParseScaledDecimal(std::string_view s, int exp) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (dot != std::string_view::npos && frac.empty()) return {};
  std::optional<int64_t> w = ParseDigits(whole);
  if (!w) return {};
  int64_t value = *w;
  for (int i = 0; i < exp; ++i) {
    if (__builtin_mul_overflow(value, 10, &value)) return {};
  }
  // The first `exp` fraction digits scale into the integer part; the next
  // one decides rounding; the rest only need to be digits.
  int64_t scaled = 0;
  for (size_t i = 0; i < static_cast<size_t>(exp); ++i) {
    int digit = 0;
    if (i < frac.size()) {
      if (!IsDigit(frac[i])) return {};
      digit = frac[i] - '0';
    }
    scaled = scaled * 10 + digit;
  }
  bool round_up = false;
  for (size_t i = exp; i < frac.size(); ++i) {
    if (!IsDigit(frac[i])) return {};
    if (i == static_cast<size_t>(exp)) round_up = frac[i] >= '5';
  }
  if (__builtin_add_overflow(value, scaled + (round_up ? 1 : 0), &value)) return {};
  return value;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<int64_t> ParseDigits(std::string_view s) {
  if (s.empty()) return {};
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return {};
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      return {};
    }
  }
  return value;
}

std::optional<int64_t> ParseFollowerCountText(std::string_view s) {
  if (s.empty()) return {};
  int exp = -1;
  switch (s.back()) {
    case 'k': case 'K': exp = 3; break;
    case 'm': case 'M': exp = 6; break;
    case 'b': case 'B': exp = 9; break;
    default: break;
  }
  if (exp < 0) return ParseGroupedDigits(s);
  s.remove_suffix(1);
  return ParseScaledDecimal(s, exp);
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  // Branch-free over the 32 hex digits: the per-record hot path.
  static constexpr auto kHex = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = IsHex(static_cast<char>(c));
    return t;
  }();
  bool ok = true;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    ok &= kHex[static_cast<unsigned char>(s[i])];
  }
  return ok;
}

void AssignLowerAscii(std::string_view s, std::string* out) {
  out->assign(s);
  for (char& c : *out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

MediaKind ParseMediaKind(std::string_view s) {
  if (s == "image") return MediaKind::kImage;
  if (s == "video") return MediaKind::kVideo;
  if (s == "multi-video(story page format)") return MediaKind::kStory;
  return MediaKind::kUnknown;
}

std::string_view StripSavePrefix(std::string_view trimmed) {
  constexpr std::string_view kPrefix = "Local save in";
  if (trimmed == kPrefix) return {};
  if (!StartsWith(trimmed, kPrefix)) return trimmed;
  std::string_view rest = trimmed.substr(kPrefix.size());
  char32_t cp;
  size_t n = DecodeUtf8(rest, &cp);
  if (n == 0 || !IsTrimmedSpace(cp)) return trimmed;  // e.g. "Local save inside"
  return TrimSpace(rest);
}

}  // namespace pinpipe::pin
