// tag_list <-> JSON array text. Writing uses the pin module's JSON string
// escaper (the same bytes `pinpipe clean` prints); reading parses with
// simdjson and accepts any JSON array of strings.
#include <simdjson.h>

#include "sinks/sqlite/sqlite_warehouse.h"

namespace pinpipe::sinks::sqlite {

void AppendTagListJson(const std::vector<std::string>& tags, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out->push_back(',');
    pin::AppendJsonString(tags[i], out);
  }
  out->push_back(']');
}

Status ReadTagListJson(std::string_view json, std::vector<std::string>* tags) {
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
