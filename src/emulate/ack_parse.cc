// The API's bodies are small, flat and machine-written, so a key scan is
// enough: `"key":` never occurs inside one of its JSON strings (quotes there
// are escaped).
#include "emulate/ack_parse.h"

#include <charconv>
#include <string>

namespace pinpipe::emulate {
namespace {

// The integer after `"key":` at or after `from`; npos-based `*next` for chaining.
bool FindInt(std::string_view body, std::string_view key, size_t from, int64_t* value, size_t* next = nullptr) {
  std::string pattern = "\"" + std::string(key) + "\":";
  size_t at = body.find(pattern, from);
  if (at == std::string_view::npos) return false;
  const char* begin = body.data() + at + pattern.size();
  auto [end, ec] = std::from_chars(begin, body.data() + body.size(), *value);
  if (ec != std::errc()) return false;
  if (next != nullptr) *next = static_cast<size_t>(end - body.data());
  return true;
}

}  // namespace

bool ParseAck(int status, std::string_view body, int64_t records, bool batch, AckSummary* out) {
  *out = AckSummary{};
  if (status != 202 && status != 400) return false;
  if (!batch) {
    if (status == 400) {
      out->rejected = 1;
      return true;
    }
    int64_t partition = 0;
    if (!FindInt(body, "partition", 0, &partition) || !FindInt(body, "offset", 0, &out->offset)) return false;
    out->partition = static_cast<int32_t>(partition);
    out->accepted = 1;
    return true;
  }
  if (!FindInt(body, "accepted", 0, &out->accepted) || !FindInt(body, "rejected", 0, &out->rejected)) {
    if (status != 400) return false;
    out->rejected = records;  // the body as a whole was refused (framing, empty)
    return true;
  }
  size_t pos = 0;
  int64_t line = 0;
  while (FindInt(body, "line", pos, &line, &pos)) out->rejected_lines.push_back(line);
  return true;
}

}  // namespace pinpipe::emulate
