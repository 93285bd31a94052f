// NDJSON line splitting and a bracket-depth scanner for JSON arrays.
#include "ingest/batch_body.h"

namespace pinpipe::ingest {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  return i;
}

SplitResult Bad(std::string detail) { return {SplitOutcome::kBadFraming, std::move(detail)}; }

SplitResult SplitNdjson(std::string_view body, size_t max_items, std::vector<BatchItem>* out) {
  int64_t line = 0;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    ++line;
    std::string_view text = body.substr(start, end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    start = end + 1;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (out->size() == max_items) return {SplitOutcome::kTooManyRecords, {}};
    out->push_back({text, line});
  }
  return {};
}

// Returns the index just past the element starting at `i` (at the ',' or
// ']' that ends it), or npos when the array ends inside the element.
size_t ScanElement(std::string_view s, size_t i, bool* negative_depth) {
  int64_t depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped byte cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return c == ']' ? i : (*negative_depth = true, std::string_view::npos);
      --depth;
    } else if (c == ',' && depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

SplitResult SplitArray(std::string_view body, size_t max_items, std::vector<BatchItem>* out) {
  size_t i = SkipSpace(body, 0);
  if (i == body.size() || body[i] != '[') return Bad("a JSON array body must start with '['");
  i = SkipSpace(body, i + 1);
  if (i < body.size() && body[i] == ']') {
    i = SkipSpace(body, i + 1);
    return i == body.size() ? SplitResult{} : Bad("bytes after the closing ']' at offset " + std::to_string(i));
  }
  int64_t index = 0;
  for (;;) {
    bool negative = false;
    size_t end = ScanElement(body, i, &negative);
    if (end == std::string_view::npos) {
      return Bad(negative ? "unbalanced '}' in element " + std::to_string(index + 1)
                          : "the array is not closed with ']'");
    }
    std::string_view text = TrimJsonSpace(body.substr(i, end - i));
    ++index;
    if (text.empty()) return Bad("element " + std::to_string(index) + " is empty");
    if (out->size() == max_items) return {SplitOutcome::kTooManyRecords, {}};
    out->push_back({text, index});
    if (body[end] == ']') {
      size_t rest = SkipSpace(body, end + 1);
      if (rest != body.size()) return Bad("bytes after the closing ']' at offset " + std::to_string(rest));
      return {};
    }
    i = end + 1;
  }
}

}  // namespace

BatchFormat SniffBatchFormat(std::string_view body, bool json_content_type) {
  if (!json_content_type) return BatchFormat::kNdjson;
  size_t i = SkipSpace(body, 0);
  return i < body.size() && body[i] == '[' ? BatchFormat::kJsonArray : BatchFormat::kNdjson;
}

std::string_view TrimJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

SplitResult SplitBatchBody(std::string_view body, BatchFormat format, size_t max_items,
                           std::vector<BatchItem>* out) {
  out->clear();
  return format == BatchFormat::kNdjson ? SplitNdjson(body, max_items, out) : SplitArray(body, max_items, out);
}

}  // namespace pinpipe::ingest
