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

  // Whitespace, then '{'.
  Status BeginObject();
  // Reads the next member's key and its ':'; false once the object's '}' is
  // consumed. The key is unescaped into *key.
  Result<bool> NextMember(std::string* key);
  // A string value. *out points into the text when it had no escapes, else
  // into *scratch (or an internal buffer when scratch is null) after decoding.
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

  static constexpr int kMaxDepth = 64;

 private:
  void SkipWhitespace();
  // Advances over string bytes that need no attention, a word at a time.
  void SkipPlainBytes();
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
