// tag_list's JSON array text back into strings (pin::AppendTagListJson
// writes it): simdjson, any JSON array of strings.
#include <simdjson.h>

#include "sinks/sqlite/sqlite_warehouse.h"

namespace pinpipe::sinks::sqlite {

namespace {

// Reads `json` if it is exactly what AppendTagListJson writes for tags that
// needed no escapes (what the warehouse holds): no parser, no whitespace.
// False (tags unspecified) for anything else.
bool ReadPlainTagList(std::string_view json, std::vector<std::string>* tags) {
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return false;
  if (!simdjson::validate_utf8(json.data(), json.size())) return false;
  const size_t end = json.size() - 1;  // the ']'
  size_t n = 0;
  for (size_t i = 1; i < end;) {
    if (json[i] != '"') return false;
    size_t close = json.find('"', i + 1);
    if (close == std::string_view::npos || close >= end) return false;
    std::string_view tag = json.substr(i + 1, close - i - 1);
    for (char c : tag) {
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    if (n < tags->size()) {
      (*tags)[n].assign(tag);
    } else {
      tags->emplace_back(tag);
    }
    ++n;
    i = close + 1;
    if (i < end && (json[i] != ',' || i + 1 == end)) return false;
    if (i < end) ++i;
  }
  tags->resize(n);
  return true;
}

}  // namespace

Status ReadTagListJson(std::string_view json, std::vector<std::string>* tags, bool* as_written) {
  bool plain = ReadPlainTagList(json, tags);
  if (as_written != nullptr) *as_written = plain;
  if (plain) return Status::Ok();
  auto bad = [json] {
    return Status::Corruption("tag_list is not a JSON array of strings: " + std::string(json.substr(0, 200)));
  };
  // One parser per thread: clean-zone workers read rows in parallel, and a
  // parser keeps its buffers between rows.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json.data(), json.size()).get_array().get(array) != simdjson::SUCCESS) return bad();
  size_t n = 0;
  for (simdjson::dom::element element : array) {
    std::string_view tag;
    if (element.get_string().get(tag) != simdjson::SUCCESS) return bad();
    if (n < tags->size()) {
      (*tags)[n].assign(tag);  // keeps the string's buffer
    } else {
      tags->emplace_back(tag);
    }
    ++n;
  }
  tags->resize(n);
  return Status::Ok();
}

}  // namespace pinpipe::sinks::sqlite
