// The JSON string writer and the two byte sinks it writes to, so escaping
// and the record layout exist once: StringOut appends to a std::string (the
// public API), RawOut writes through a pointer into space reserved up front
// (the NDJSON hot path: no capacity check per append). Internal to pin.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pin/unicode_text.h"

namespace pinpipe::pin {

class StringOut {
 public:
  explicit StringOut(std::string* s) : s_(s) {}
  void Put(char c) { s_->push_back(c); }
  void Put(std::string_view v) { s_->append(v); }

 private:
  std::string* s_;
};

// REQUIRES: the caller reserved enough bytes at `p` (see the *Bound helpers).
class RawOut {
 public:
  explicit RawOut(char* p) : p_(p) {}
  void Put(char c) { *p_++ = c; }
  void Put(std::string_view v) {
    std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }
  char* end() const { return p_; }

 private:
  char* p_;
};

// Most bytes WriteJsonString can produce for n input bytes (a control
// character becomes 6 bytes).
constexpr size_t JsonStringBound(size_t n) { return 6 * n + 2; }

namespace json_internal {

// 0: copy as is; 1: escape (control, quote, backslash); 2: non-ASCII lead.
constexpr std::array<uint8_t, 256> MakeByteClass() {
  std::array<uint8_t, 256> table{};
  for (int b = 0; b < 0x20; ++b) table[b] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (int b = 0x80; b < 0x100; ++b) table[b] = 2;
  return table;
}
inline constexpr std::array<uint8_t, 256> kByteClass = MakeByteClass();

inline constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
inline constexpr char kHex[] = "0123456789abcdef";

template <typename Out>
void PutEscape(unsigned char b, Out& out) {
  switch (b) {
    case '"': out.Put("\\\""); return;
    case '\\': out.Put("\\\\"); return;
    case '\n': out.Put("\\n"); return;
    case '\r': out.Put("\\r"); return;
    case '\t': out.Put("\\t"); return;
    case '\b': out.Put("\\b"); return;
    case '\f': out.Put("\\f"); return;
    default: {
      char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
      out.Put(std::string_view(esc, sizeof(esc)));
    }
  }
}

// Bit 7 of each byte of the result is set where the byte of `w` is a
// control character, '"', '\\' or non-ASCII. Borrows can set bits above the
// first such byte, never below it, so the lowest set bit is exact.
static_assert(std::endian::native == std::endian::little, "SpecialBytes scans bytes low to high");
inline uint64_t SpecialBytes(uint64_t w) {
  constexpr uint64_t k01 = 0x0101010101010101ULL;
  constexpr uint64_t k80 = 0x8080808080808080ULL;
  auto zero_bytes = [](uint64_t v) { return (v - k01) & ~v & k80; };
  uint64_t below_space = (w - k01 * 0x20) & ~w & k80;
  return below_space | zero_bytes(w ^ (k01 * '"')) | zero_bytes(w ^ (k01 * '\\')) | (w & k80);
}

#if defined(__SSE2__)
// Bit k is set where byte k of p[0..16) is a control character, '"', '\\' or
// non-ASCII (signed compare: bytes >= 0x80 are negative, so "< 0x20" covers
// both).
inline uint32_t SpecialBytes16(const unsigned char* p) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, backslash))));
}
#endif

// Bytes [i, n) (1 to 7 of them) in the low bytes of a word whose other bytes
// are spaces (never special). Register loads only: a memcpy into a stack
// word would stall on store forwarding.
inline uint64_t TailWord(const unsigned char* p, size_t i, size_t n) {
  size_t shift = 8 * (8 - (n - i));  // 8..56
  uint64_t w;
  if (n >= 8) {
    std::memcpy(&w, p + n - 8, 8);  // overlaps bytes already scanned
    w >>= shift;
  } else {
    w = 0;
    for (size_t k = n; k > i; --k) w = (w << 8) | p[k - 1];
  }
  return w | (0x2020202020202020ULL << (64 - shift));
}

}  // namespace json_internal

// Writes `s` as a JSON string literal with quotes: control characters
// escaped, well-formed UTF-8 copied, each byte of an ill-formed sequence
// replaced by U+FFFD. Runs of plain bytes are copied in one piece.
template <typename Out>
inline void WriteJsonString(std::string_view s, Out& out) {
  out.Put('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t run = 0;  // start of the pending copy-as-is run
  size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // Skip plain ASCII sixteen bytes at a time.
    while (i + 16 <= n) {
      uint32_t special = json_internal::SpecialBytes16(p + i);
      if (special != 0) {
        i += static_cast<size_t>(__builtin_ctz(special));
        break;
      }
      i += 16;
    }
#endif
    // Then eight at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      uint64_t special = json_internal::SpecialBytes(w);
      if (special != 0) {
        i += static_cast<size_t>(__builtin_ctzll(special)) / 8;
        break;
      }
      i += 8;
    }
    if (i + 8 > n && i < n) {
      uint64_t special = json_internal::SpecialBytes(json_internal::TailWord(p, i, n));
      if (special == 0) break;
      i += static_cast<size_t>(__builtin_ctzll(special)) / 8;
    }
    if (i >= n) break;
    uint8_t cls = json_internal::kByteClass[p[i]];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 2) {
      char32_t cp;
      size_t len = DecodeUtf8(s.substr(i), &cp);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out.Put(s.substr(run, i - run));
    if (cls == 1) {
      json_internal::PutEscape(p[i], out);
    } else {
      out.Put(std::string_view(json_internal::kReplacement, 3));
    }
    ++i;
    run = i;
  }
  out.Put(s.substr(run));
  out.Put('"');
}


}  // namespace pinpipe::pin
