// UTF-8 primitives the cleaning rules and the JSON writer share: decoding one
// code point with full validation, and trimming the Unicode White_Space set
// plus the byte-order mark (spec/cleaning.md, "Trimmed").
#pragma once

#include <cstddef>
#include <string_view>

namespace pinpipe::pin {

// Length (1-4) of the well-formed UTF-8 sequence at the start of `s` and its
// code point in *cp; 0 when `s` is empty or starts with an ill-formed
// sequence (stray continuation byte, overlong form, surrogate, > U+10FFFF,
// truncated sequence).
size_t DecodeUtf8(std::string_view s, char32_t* cp);

// True for U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF.
bool IsTrimmedSpace(char32_t cp);

// `s` without trimmed-space code points at either end. Ill-formed bytes are
// never whitespace, so they stop the trim.
std::string_view TrimSpaceSlow(std::string_view s);
inline std::string_view TrimSpace(std::string_view s) {
  // Most values start and end with a printable ASCII byte: nothing to trim.
  auto plain = [](char c) { return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x80; };
  if (!s.empty() && plain(s.front()) && plain(s.back())) return s;
  return TrimSpaceSlow(s);
}

}  // namespace pinpipe::pin
