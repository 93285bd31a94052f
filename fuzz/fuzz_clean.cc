// libFuzzer target over the cleaning path: parse + clean + write. Checks
// that whatever the input bytes, the written line is valid JSON (re-parsed
// with simdjson, which also validates UTF-8), that cleaning is
// deterministic (a second Cleaner, with different history, agrees) and that
// Cleaner::CleanToJson and the NDJSON path's raw-pointer writer write the
// same bytes as Clean + AppendCleanJson.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

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
  }

  // The bare string writer too, on the raw bytes themselves.
  std::string quoted;
  pinpipe::pin::AppendJsonString(raw, &quoted);
  Require(parser->parse(quoted).error() == simdjson::SUCCESS, "AppendJsonString output invalid", quoted);
  return 0;
}
