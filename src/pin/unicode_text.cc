// Hand-written UTF-8 decoding (the ranges of Unicode table 3-7) and trimming.
#include "pin/unicode_text.h"

#include <cstdint>

#include "pin/pin.h"

namespace pinpipe::pin {
namespace {

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Fast ASCII path of IsTrimmedSpace.
bool IsAsciiSpace(unsigned char b) { return b == ' ' || (b >= 0x09 && b <= 0x0D); }

}  // namespace

size_t DecodeUtf8(std::string_view s, char32_t* cp) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < len || p[1] < lo || p[1] > hi) return 0;
  char32_t value = b0 & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) {
    if (!IsContinuation(p[i])) return 0;
    value = (value << 6) | (p[i] & 0x3F);
  }
  *cp = value;
  return len;
}

bool IsTrimmedSpace(char32_t cp) {
  if (cp < 0x80) return IsAsciiSpace(static_cast<unsigned char>(cp));
  switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string_view TrimSpaceSlow(std::string_view s) {
  while (!s.empty()) {
    auto b = static_cast<unsigned char>(s.front());
    if (b < 0x80) {
      if (!IsAsciiSpace(b)) break;
      s.remove_prefix(1);
      continue;
    }
    char32_t cp;
    size_t n = DecodeUtf8(s, &cp);
    if (n == 0 || !IsTrimmedSpace(cp)) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    auto b = static_cast<unsigned char>(s.back());
    if (b < 0x80) {
      if (!IsAsciiSpace(b)) break;
      s.remove_suffix(1);
      continue;
    }
    // Step back to the lead byte (at most 3 continuation bytes), then make
    // sure the sequence decoded from there ends exactly at the end.
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 &&
           IsContinuation(static_cast<unsigned char>(s[start]))) {
      --start;
    }
    char32_t cp;
    size_t n = DecodeUtf8(s.substr(start), &cp);
    if (n == 0 || start + n != s.size() || !IsTrimmedSpace(cp)) break;
    s.remove_suffix(n);
  }
  return s;
}

std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  // Cut before the sequence that would straddle the limit; ill-formed bytes
  // are cut anywhere (the writer replaces them anyway).
  size_t cut = max_bytes;
  size_t back = 0;
  while (cut > 0 && back < 3 && IsContinuation(static_cast<unsigned char>(s[cut]))) {
    --cut;
    ++back;
  }
  char32_t cp;
  size_t n = DecodeUtf8(s.substr(cut), &cp);
  if (n == 0 || cut + n <= max_bytes) cut = max_bytes;  // not a straddling valid sequence
  return s.substr(0, cut);
}

}  // namespace pinpipe::pin
