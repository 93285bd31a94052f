// JsonCursor: bounds-checked at every step; recursion only in SkipValueAt,
// limited by kMaxDepth.
#include "jobs/lake_line_json.h"

#include <cstring>

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
  // Without escapes the string is a view of the line.
  for (;;) {
    SkipPlainBytes();
    if (pos_ >= text_.size()) return Fail("unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      *out = text_.substr(start, pos_ - start);
      ++pos_;
      if (!IsValidUtf8(*out)) return Fail("string is not valid UTF-8");
      return Status::Ok();
    }
    if (c < 0x20) return Fail("control character in string");
    if (c == '\\') break;
    ++pos_;
  }
  // With escapes it is decoded into the scratch buffer, sized once: every
  // escape is at least as long as what it stands for, so the decoded text
  // never outgrows the rest of the line.
  std::string* buf = scratch != nullptr ? scratch : &own_scratch_;
  buf->resize(text_.size() - start);
  char* w = buf->data();
  std::memcpy(w, text_.data() + start, pos_ - start);
  w += pos_ - start;
  for (;;) {
    size_t run = pos_;
    SkipPlainBytes();
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      ++pos_;
    }
    std::memcpy(w, text_.data() + run, pos_ - run);
    w += pos_ - run;
    if (pos_ >= text_.size()) return Fail("unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') break;
    if (c < 0x20) return Fail("control character in string");
    if (++pos_ >= text_.size()) return Fail("unterminated escape");
    char e = text_[pos_++];
    switch (e) {
      case '"': *w++ = '"'; break;
      case '\\': *w++ = '\\'; break;
      case '/': *w++ = '/'; break;
      case 'b': *w++ = '\b'; break;
      case 'f': *w++ = '\f'; break;
      case 'n': *w++ = '\n'; break;
      case 'r': *w++ = '\r'; break;
      case 't': *w++ = '\t'; break;
      case 'u': PINPIPE_RETURN_IF_ERROR(DecodeUnicodeEscape(&w)); break;
      default: return Fail("bad escape");
    }
  }
  buf->resize(static_cast<size_t>(w - buf->data()));
  *out = *buf;
  ++pos_;  // closing quote
  if (!IsValidUtf8(*out)) return Fail("string is not valid UTF-8");
  return Status::Ok();
}

void JsonCursor::SkipPlainBytes() {
  // Eight bytes at a time while none is '"', '\\' or a control character
  // (the classic "has zero byte" / "has byte less than" word tricks).
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  while (pos_ + 8 <= text_.size()) {
    uint64_t w;
    std::memcpy(&w, text_.data() + pos_, 8);
    uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
    uint64_t special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w);
    if ((special & kHighs) != 0) return;
    pos_ += 8;
  }
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
