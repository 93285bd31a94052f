// libFuzzer target over the cleaning path: parse + clean + write. Checks
// that whatever the input bytes, the written line is valid JSON (re-parsed
// with simdjson, which also validates UTF-8), that cleaning is
// deterministic (a second Cleaner, with different history, agrees) and that
// Cleaner::CleanToJson, the NDJSON path's raw-pointer writer and `batch`'s
// view writer write the same bytes as Clean + AppendCleanJson, and that the
// view writer's layout points at each value (batch rows are views into it).
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "pin/clean_view.h"
#include "pin/pin.h"

namespace {

std::string CleanToLine(pinpipe::pin::Cleaner& cleaner, std::string_view raw) {
  pinpipe::pin::CleanRecord record;
  pinpipe::pin::Rejection rejection;
  std::string out;
  if (cleaner.Clean(raw, &record, &rejection)) {
    pinpipe::pin::AppendCleanJson(record, &out);
  } else {
    pinpipe::pin::AppendRejectJson(1, rejection, raw, &out);
  }
  return out;
}

void Require(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_clean: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pinpipe::pin::Cleaner* reused = new pinpipe::pin::Cleaner();
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  std::string_view raw(reinterpret_cast<const char*>(data), size);

  std::string line = CleanToLine(*reused, raw);
  Require(parser->parse(line).error() == simdjson::SUCCESS, "output is not valid JSON", line);
  Require(line.find('\n') == std::string::npos, "output spans lines", line);

  pinpipe::pin::Cleaner fresh;
  Require(CleanToLine(fresh, raw) == line, "cleaning is not deterministic", line);

  // The direct NDJSON path writes exactly what Clean + AppendCleanJson write.
  std::string direct;
  pinpipe::pin::Rejection rejection;
  if (reused->CleanToJson(raw, &direct, &rejection)) {
    Require(direct == line, "CleanToJson differs from Clean + AppendCleanJson", direct + "\n" + line);
  } else {
    Require(direct.empty(), "CleanToJson wrote on a reject", direct);
    Require(line.starts_with("{\"line\":1,\"reason\""), "CleanToJson rejected what Clean accepted", line);
  }

  // The raw-pointer writer of the NDJSON path, within its bound.
  static pinpipe::pin::CleanViewer* viewer = new pinpipe::pin::CleanViewer();
  pinpipe::pin::CleanView view;
  if (viewer->View(raw, &view, &rejection)) {
    // Exactly the bound on the heap, so ASan catches a write past it.
    size_t bound = pinpipe::pin::CleanViewJsonBound(view);
    std::unique_ptr<char[]> buffer(new char[bound]);
    char* end = pinpipe::pin::WriteCleanViewJson(view, buffer.get());
    Require(end <= buffer.get() + bound, "WriteCleanViewJson overran its bound", line);
    std::string written(buffer.get(), static_cast<size_t>(end - buffer.get()));
    Require(written == line, "WriteCleanViewJson differs from AppendCleanJson", written + "\n" + line);

    // The view writer with an ingested_at and its layout, after other text.
    constexpr int64_t kAt = 1795687200123456;
    std::string at;
    pinpipe::AppendRfc3339Micros(kAt, &at);
    std::string zone = "before\n";
    const size_t start = zone.size();
    pinpipe::pin::CleanJsonLayout layout;
    pinpipe::pin::AppendCleanViewJson(view, at, &zone, &layout);
    pinpipe::pin::CleanRecord record;
    Require(reused->Clean(raw, &record, &rejection), "Clean rejected what View accepted", line);
    record.ingested_at = kAt;
    std::string expected;
    pinpipe::pin::AppendCleanJson(record, &expected);
    Require(zone.substr(start) == expected, "AppendCleanViewJson differs from AppendCleanJson", zone + "\n" + expected);
    auto token = [&](pinpipe::pin::CleanText t) {
      auto [first, second] = layout.tokens[t];
      Require(first <= second && start + second <= zone.size(), "layout token out of the line", zone);
      return std::string_view(zone).substr(start + first, second - first);
    };
    const std::pair<pinpipe::pin::CleanText, std::string_view> texts[] = {
        {pinpipe::pin::kUniqueIdText, view.unique_id},   {pinpipe::pin::kTitleText, view.title},
        {pinpipe::pin::kDescriptionText, view.description}, {pinpipe::pin::kPosterNameText, view.poster_name},
        {pinpipe::pin::kMediaTypeText, view.media_type}, {pinpipe::pin::kImageSrcText, view.image_src},
        {pinpipe::pin::kSaveLocationText, view.save_location}, {pinpipe::pin::kCategoryText, view.category}};
    for (auto [t, value] : texts) {
      std::string_view tok = token(t);
      if (value.empty()) {
        Require(tok == "null", "a null value's token is not null", std::string(tok));
      } else if (tok.size() == value.size() + 2) {
        Require(tok.substr(1, value.size()) == value, "a verbatim token is not its value", std::string(tok));
      } else {
        std::string quoted_value;
        pinpipe::pin::AppendJsonString(value, &quoted_value);
        Require(tok == quoted_value, "an escaped token is not its value's JSON", std::string(tok));
      }
    }
    std::string tags;
    pinpipe::pin::AppendTagListJson(record.tag_list, &tags);
    Require(token(pinpipe::pin::kTagListText) == tags, "the tag_list token is not the stored tag_list", tags);
  }

  // The bare string writer too, on the raw bytes themselves.
  std::string quoted;
  pinpipe::pin::AppendJsonString(raw, &quoted);
  Require(parser->parse(quoted).error() == simdjson::SUCCESS, "AppendJsonString output invalid", quoted);
  return 0;
}
