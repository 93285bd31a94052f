// A minimal pull parser for one JSON object per line (RFC 8259), enough for
// landed lines: object members, strings (with every escape), integers, and
// skipping of any other value. Strict: malformed input is kCorruption naming
// the byte position; it never reads past the text or recurses unboundedly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pinpipe::jobs {

// Owned by one thread; borrows `text` for its lifetime.
class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : text_(text) {}
  // Starts at byte `pos` of `text`, for a caller that matched the bytes
  // before it itself; error positions still count from the start of `text`.
  JsonCursor(std::string_view text, size_t pos) : text_(text), pos_(pos) {}

  // Whitespace, then '{'.
  Status BeginObject();
  // Reads the next member's key and its ':'; false once the object's '}' is
  // consumed. The key is unescaped into *key.
  Result<bool> NextMember(std::string* key);
  // A string value. *out points into the text when it had no escapes, else
  // into *scratch (or an internal buffer when scratch is null) after decoding:
  // its first bytes, the buffer kept at the largest size needed so far.
  Status String(std::string_view* out, std::string* scratch);
  // A JSON integer >= 0 without fraction or exponent that fits int64.
  Status NonNegativeInt(int64_t* out);
  // A string value holding standard base64 (with padding), decoded into *scratch.
  Status Base64(std::string_view* out, std::string* scratch);
  // Skips one value of any type (nesting limited to kMaxDepth).
  Status SkipValue();
  // Only whitespace may remain.
  Status End();
  // kCorruption "landed line: <what> at byte N".
  Status Fail(std::string_view what) const;
  // The byte the next call reads from.
  size_t pos() const { return pos_; }

  static constexpr int kMaxDepth = 64;

 private:
  void SkipWhitespace();
  Status Expect(char c);
  Status SkipValueAt(int depth);
  Status SkipLiteral(std::string_view word);
  Status SkipNumber();
  // Decodes \uXXXX (and a following low surrogate) at pos_, writing its
  // UTF-8 at *out and advancing *out.
  Status DecodeUnicodeEscape(char** out);

  std::string_view text_;
  size_t pos_ = 0;
  bool first_member_ = true;
  std::string own_scratch_;
};

}  // namespace pinpipe::jobs
