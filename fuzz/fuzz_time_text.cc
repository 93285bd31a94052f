// libFuzzer target for the small text parsers that take user input: RFC 3339
// instants, --date values, --listen addresses and lake object keys. Each
// either rejects the text or accepts it in a form that formats back and
// parses to the same value (so what the parser accepts, pinpipe can write).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "lake/key_layout.h"
#include "metrics/listen_address.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto t = pinpipe::ParseRfc3339Micros(text); t.ok()) {
    auto back = pinpipe::ParseRfc3339Micros(pinpipe::FormatRfc3339Micros(*t));
    Require(back.ok() && *back == *t);
  }
  if (auto d = pinpipe::ParseDate(text); d.ok()) {
    Require(*d % pinpipe::kMicrosPerDay == 0);
    Require(pinpipe::FormatDate(*d) == text);  // only canonical dates are accepted
  }
  if (auto a = pinpipe::metrics::ParseListenAddress(text); a.ok()) {
    Require(!a->host.empty());
  }
  if (auto key = pinpipe::lake::ParseRawObjectKey("pins", text)) {
    Require(pinpipe::lake::RawObjectKeyString("pins", *key) == text);  // canonical form only
  }
  if (auto hour = pinpipe::lake::ParseRawSuccessKey("pins", text)) {
    Require(pinpipe::lake::RawSuccessKey("pins", *hour) == text);
  }
  return 0;
}
