// JsonCursor: bounds-checked at every step; recursion only in SkipValueAt,
// limited by kMaxDepth.
#include "jobs/lake_line_json.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "jobs/lake_line.h"

namespace pinpipe::jobs {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Writes `cp` as UTF-8 at `out`; returns the end.
char* WriteUtf8(uint32_t cp, char* out) {
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xC0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (cp >> 18));
    *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// String scanning looks at a block of bytes at once (SSE2, else a 64-bit
// word) and turns it into one bit per byte that ends a plain run: '"', '\\'
// or a control character.
#if defined(__SSE2__)
constexpr size_t kStringBlock = 16;

// Bit k is set where p[k] ends a plain run. *high collects the bytes' top
// bits: it stays 0 while every byte is ASCII.
uint64_t StringBlockSpecials(const char* p, uint64_t* high) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));  // v <= 0x1F
  *high |= static_cast<uint32_t>(_mm_movemask_epi8(v));
  return static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)));
}
#else
constexpr size_t kStringBlock = 8;

// As above, with exact per-byte tests that cannot carry into the next byte:
// (y & 0x7F) + 0x7F sets the top bit unless y's low seven bits are zero, and
// (w & 0x7F) + 0x60 sets it unless they are below 0x20 (~w then rules out
// bytes from 0x80).
uint64_t StringBlockSpecials(const char* p, uint64_t* high) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kLow7 = 0x7F7F7F7F7F7F7F7FULL, kHighs = ~kLow7;
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);  // p[k] in bits 8k..8k+7
  uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  uint64_t is_quote = ~(((quote & kLow7) + kLow7) | quote);
  uint64_t is_backslash = ~(((backslash & kLow7) + kLow7) | backslash);
  uint64_t is_control = ~((w & kLow7) + kOnes * 0x60) & ~w;
  uint64_t specials = (is_quote | is_backslash | is_control) & kHighs;
  *high |= w & kHighs;
  return ((specials >> 7) * 0x0102040810204080ULL) >> 56;  // gathers byte k's top bit into bit k
}
#endif

size_t FirstSpecialByte(uint64_t specials) { return static_cast<size_t>(std::countr_zero(specials)); }

bool IsStringSpecial(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

// The first '"', '\\' or control character in text[pos, end), or text.size().
size_t SkipPlainStringBytes(std::string_view text, size_t pos, uint64_t* high) {
  for (; pos + kStringBlock <= text.size(); pos += kStringBlock) {
    uint64_t specials = StringBlockSpecials(text.data() + pos, high);
    if (specials != 0) return pos + FirstSpecialByte(specials);
  }
  for (; pos < text.size() && !IsStringSpecial(static_cast<unsigned char>(text[pos])); ++pos) {
    *high |= static_cast<unsigned char>(text[pos]) & 0x80;
  }
  return pos;
}

// SkipPlainStringBytes that also copies the bytes it skips to *out and
// advances *out past them. A block is stored whole even when only part of
// it counts. REQUIRES: *out is no further into the decoded text than pos is
// into `text`, and the buffer runs to where the text does.
size_t CopyPlainStringBytes(std::string_view text, size_t pos, char** out, uint64_t* high) {
  char* w = *out;
  for (; pos + kStringBlock <= text.size(); pos += kStringBlock, w += kStringBlock) {
    std::memcpy(w, text.data() + pos, kStringBlock);
    uint64_t specials = StringBlockSpecials(text.data() + pos, high);
    if (specials != 0) {
      size_t n = FirstSpecialByte(specials);
      *out = w + n;
      return pos + n;
    }
  }
  for (; pos < text.size() && !IsStringSpecial(static_cast<unsigned char>(text[pos])); ++pos, ++w) {
    *high |= static_cast<unsigned char>(text[pos]) & 0x80;
    *w = text[pos];
  }
  *out = w;
  return pos;
}

// What "\e" stands for when that is one byte; 0 for 'u' and non-escapes.
constexpr std::array<char, 256> kOneByteEscapes = [] {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['/'] = '/';
  t['b'] = '\b';
  t['f'] = '\f';
  t['n'] = '\n';
  t['r'] = '\r';
  t['t'] = '\t';
  return t;
}();

// Raw records in landed lines escape every few bytes, so finding one special
// byte per load would chain each load to the last one's result. Instead the
// specials of a 64-byte window come from fixed loads, and the window is
// walked by clearing bits. Run copies read and write 16 bytes at a time, so
// a window needs 16 bytes of text after it.
constexpr size_t kWindow = 64;
constexpr size_t kWindowReach = kWindow + 16;

// Copies len (<= kWindow) bytes as whole 16-byte pieces, so up to 16 bytes
// too many. The first piece goes unconditionally: most runs fit in it, and a
// loop whose trip count varies run by run mispredicts.
void CopyRun(const char* from, size_t len, char* to) {
  std::memcpy(to, from, 16);
  for (size_t i = 16; i < len; i += 16) std::memcpy(to + i, from + i, 16);
}

// Decodes plain bytes and one-byte escapes from text[pos] to *out (advanced)
// while a whole window fits; returns where it stopped: at a '"', control
// character or other escape, or where too little text is left. REQUIRES as
// CopyPlainStringBytes.
size_t DecodePlainAndOneByteEscapes(std::string_view text, size_t pos, char** out, uint64_t* high) {
  const char* s = text.data();
  char* w = *out;
  uint64_t top = 0;  // a local: the char stores below could alias *high
  while (pos + kWindowReach <= text.size()) {
    uint64_t specials = 0;
    for (size_t i = 0; i < kWindow; i += kStringBlock) {
      specials |= StringBlockSpecials(s + pos + i, &top) << i;
    }
    size_t done = 0;  // window bytes decoded; past the window after an escape at its end
    for (; specials != 0; specials = done < kWindow ? specials & (~uint64_t{0} << done) : 0) {
      size_t k = FirstSpecialByte(specials);
      CopyRun(s + pos + done, k - done, w);
      w += k - done;
      char decoded = s[pos + k] == '\\' ? kOneByteEscapes[static_cast<unsigned char>(s[pos + k + 1])] : 0;
      if (decoded == 0) {
        *out = w;
        *high |= top;
        return pos + k;
      }
      *w++ = decoded;
      done = k + 2;
    }
    if (done < kWindow) {
      CopyRun(s + pos + done, kWindow - done, w);
      w += kWindow - done;
      done = kWindow;
    }
    pos += done;
  }
  *out = w;
  *high |= top;
  return pos;
}

}  // namespace

Status JsonCursor::Fail(std::string_view what) const {
  return Status::Corruption("landed line: " + std::string(what) + " at byte " + std::to_string(pos_));
}

void JsonCursor::SkipWhitespace() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

Status JsonCursor::Expect(char c) {
  SkipWhitespace();
  if (pos_ >= text_.size()) return Fail(std::string("expected '") + c + "', got end of line");
  if (text_[pos_] != c) return Fail(std::string("expected '") + c + "'");
  ++pos_;
  return Status::Ok();
}

Status JsonCursor::BeginObject() {
  first_member_ = true;
  return Expect('{');
}

Result<bool> JsonCursor::NextMember(std::string* key) {
  SkipWhitespace();
  // A '}' after a ',' never gets here: the ',' branch below demands a key.
  if (pos_ < text_.size() && text_[pos_] == '}') {
    ++pos_;
    return false;
  }
  if (!first_member_) PINPIPE_RETURN_IF_ERROR(Expect(','));
  first_member_ = false;
  SkipWhitespace();
  std::string_view k;
  PINPIPE_RETURN_IF_ERROR(String(&k, &own_scratch_));
  key->assign(k);
  PINPIPE_RETURN_IF_ERROR(Expect(':'));
  SkipWhitespace();
  return true;
}

Status JsonCursor::DecodeUnicodeEscape(char** out) {
  auto read4 = [&](uint32_t* v) -> bool {
    if (pos_ + 4 > text_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(text_[pos_ + i]);
      if (h < 0) return false;
      *v = (*v << 4) | static_cast<uint32_t>(h);
    }
    pos_ += 4;
    return true;
  };
  uint32_t cp = 0;
  if (!read4(&cp)) return Fail("bad \\u escape");
  if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone low surrogate");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low = 0;
    if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
      return Fail("high surrogate without a low one");
    }
    pos_ += 2;
    if (!read4(&low) || low < 0xDC00 || low > 0xDFFF) return Fail("bad low surrogate");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  *out = WriteUtf8(cp, *out);
  return Status::Ok();
}

Status JsonCursor::String(std::string_view* out, std::string* scratch) {
  if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a string");
  size_t start = ++pos_;
  uint64_t high = 0;
  // Without escapes the string is a view of the line.
  pos_ = SkipPlainStringBytes(text_, pos_, &high);
  if (pos_ >= text_.size()) return Fail("unterminated string");
  if (text_[pos_] == '"') {
    *out = text_.substr(start, pos_ - start);
    ++pos_;
    return high != 0 && !IsValidUtf8(*out) ? Fail("string is not valid UTF-8") : Status::Ok();
  }
  if (text_[pos_] != '\\') return Fail("control character in string");
  // With escapes it is decoded into the scratch buffer, sized once: every
  // escape is at least as long as what it stands for, so the decoded text
  // never outgrows the rest of the line (the copies below rely on it).
  // It only grows: resizing to each string's size would zero-fill the
  // buffer for every escaped string (every landed raw record).
  std::string* buf = scratch != nullptr ? scratch : &own_scratch_;
  if (buf->size() < text_.size() - start) buf->resize(text_.size() - start);
  char* w = buf->data();
  std::memcpy(w, text_.data() + start, pos_ - start);
  w += pos_ - start;
  for (;;) {
    pos_ = DecodePlainAndOneByteEscapes(text_, pos_, &w, &high);
    pos_ = CopyPlainStringBytes(text_, pos_, &w, &high);
    if (pos_ >= text_.size()) return Fail("unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') break;
    if (c < 0x20) return Fail("control character in string");
    if (++pos_ >= text_.size()) return Fail("unterminated escape");
    char e = text_[pos_++];
    if (char decoded = kOneByteEscapes[static_cast<unsigned char>(e)]; decoded != 0) {
      *w++ = decoded;
    } else if (e == 'u') {
      PINPIPE_RETURN_IF_ERROR(DecodeUnicodeEscape(&w));
    } else {
      return Fail("bad escape");
    }
  }
  *out = std::string_view(buf->data(), static_cast<size_t>(w - buf->data()));
  ++pos_;  // closing quote
  // Escapes decode to whole, valid sequences, so when every unescaped byte
  // was ASCII the result is valid UTF-8 without looking again.
  return high != 0 && !IsValidUtf8(*out) ? Fail("string is not valid UTF-8") : Status::Ok();
}

Status JsonCursor::NonNegativeInt(int64_t* out) {
  size_t start = pos_;
  if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return Fail("expected a non-negative integer");
  if (text_[pos_] == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9') {
    return Fail("leading zero");
  }
  int64_t v = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    int d = text_[pos_] - '0';
    if (v > (INT64_MAX - d) / 10) return Fail("integer overflows int64");
    v = v * 10 + d;
    ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    pos_ = start;
    return Fail("expected an integer, got a fraction or exponent");
  }
  *out = v;
  return Status::Ok();
}

Status JsonCursor::Base64(std::string_view* out, std::string* scratch) {
  std::string_view encoded;
  PINPIPE_RETURN_IF_ERROR(String(&encoded, nullptr));
  if (encoded.size() % 4 != 0) return Fail("base64 length is not a multiple of 4");
  std::string* buf = scratch != nullptr ? scratch : &own_scratch_;
  std::string decoded;  // own_scratch_ may hold `encoded`
  decoded.reserve(encoded.size() / 4 * 3);
  for (size_t i = 0; i < encoded.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = encoded[i + k];
      bool last_quad = i + 4 == encoded.size();
      if (c == '=' && last_quad && k >= 2 && (k == 3 || encoded[i + 3] == '=')) {
        v[k] = 0;
        ++pad;
        continue;
      }
      v[k] = Base64Value(c);
      if (v[k] < 0 || pad > 0) return Fail("bad base64");
    }
    uint32_t bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    decoded.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) decoded.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (pad < 1) decoded.push_back(static_cast<char>(bits & 0xFF));
  }
  *buf = std::move(decoded);
  *out = *buf;
  return Status::Ok();
}

Status JsonCursor::SkipLiteral(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Fail("bad literal");
  pos_ += word.size();
  return Status::Ok();
}

Status JsonCursor::SkipNumber() {
  size_t start = pos_;
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  auto digits = [&] {
    size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ - from;
  };
  size_t int_digits = digits();
  if (int_digits == 0) return Fail("bad number");
  if (int_digits > 1 && text_[pos_ - int_digits] == '0') return Fail("leading zero");
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) return Fail("bad fraction");
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (digits() == 0) return Fail("bad exponent");
  }
  return pos_ > start ? Status::Ok() : Fail("bad number");
}

Status JsonCursor::SkipValue() { return SkipValueAt(0); }

Status JsonCursor::SkipValueAt(int depth) {
  if (depth >= kMaxDepth) return Fail("nesting too deep");
  SkipWhitespace();
  if (pos_ >= text_.size()) return Fail("expected a value, got end of line");
  char c = text_[pos_];
  if (c == '"') {
    std::string_view ignored;
    return String(&ignored, nullptr);
  }
  if (c == 't') return SkipLiteral("true");
  if (c == 'f') return SkipLiteral("false");
  if (c == 'n') return SkipLiteral("null");
  if (c == '-' || (c >= '0' && c <= '9')) return SkipNumber();
  if (c != '{' && c != '[') return Fail("unexpected character");
  char close = c == '{' ? '}' : ']';
  ++pos_;
  SkipWhitespace();
  if (pos_ < text_.size() && text_[pos_] == close) {
    ++pos_;
    return Status::Ok();
  }
  for (;;) {
    if (close == '}') {
      SkipWhitespace();
      std::string_view ignored;
      PINPIPE_RETURN_IF_ERROR(String(&ignored, nullptr));
      PINPIPE_RETURN_IF_ERROR(Expect(':'));
    }
    PINPIPE_RETURN_IF_ERROR(SkipValueAt(depth + 1));
    SkipWhitespace();
    if (pos_ >= text_.size()) return Fail("unterminated container");
    if (text_[pos_] == close) {
      ++pos_;
      return Status::Ok();
    }
    PINPIPE_RETURN_IF_ERROR(Expect(','));
  }
}

Status JsonCursor::End() {
  SkipWhitespace();
  if (pos_ != text_.size()) return Fail("trailing bytes after the object");
  return Status::Ok();
}

}  // namespace pinpipe::jobs
