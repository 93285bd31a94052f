// AppendJsonString: the one place bytes become a JSON string literal. Runs of
// bytes that need no escaping are appended in one piece, so the common ASCII
// or well-formed UTF-8 text costs one scan and one copy.
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pin/pin.h"
#include "pin/unicode_text.h"

namespace pinpipe::pin {
namespace {

// 0: copy as is; 1: escape (control, quote, backslash); 2: non-ASCII lead.
constexpr std::array<uint8_t, 256> MakeByteClass() {
  std::array<uint8_t, 256> table{};
  for (int b = 0; b < 0x20; ++b) table[b] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (int b = 0x80; b < 0x100; ++b) table[b] = 2;
  return table;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClass();

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kHex[] = "0123456789abcdef";

void AppendEscape(unsigned char b, std::string* out) {
  switch (b) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    default: {
      char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
      out->append(esc, sizeof(esc));
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

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t run = 0;  // start of the pending copy-as-is run
  size_t i = 0;
  while (i < n) {
#if defined(__SSE2__)
    // Skip plain ASCII sixteen bytes at a time.
    while (i + 16 <= n) {
      uint32_t special = SpecialBytes16(p + i);
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
      uint64_t special = SpecialBytes(w);
      if (special != 0) {
        i += static_cast<size_t>(__builtin_ctzll(special)) / 8;
        break;
      }
      i += 8;
    }
    if (i + 8 > n && i < n) {
      uint64_t special = SpecialBytes(TailWord(p, i, n));
      if (special == 0) break;
      i += static_cast<size_t>(__builtin_ctzll(special)) / 8;
    }
    if (i >= n) break;
    uint8_t cls = kByteClass[p[i]];
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
    out->append(s.data() + run, i - run);
    if (cls == 1) {
      AppendEscape(p[i], out);
    } else {
      out->append(kReplacement, 3);
    }
    ++i;
    run = i;
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

}  // namespace pinpipe::pin
