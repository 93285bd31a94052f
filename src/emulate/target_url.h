// The emulator's --target: an http:// base URL whose routes /pin and /pins
// receive the records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pinpipe::emulate {

struct TargetUrl {
  std::string host;       // name or address, as given
  uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" (no trailing slash)
  std::string Host() const { return port == 80 ? host : host + ":" + std::to_string(port); }
};

// "http://127.0.0.1:8000", "http://api.local/ingest/"; a trailing /pin or
// /pins is dropped (the emulator picks the route). kInvalidArgument for other
// schemes (https is not spoken) or a malformed URL.
Result<TargetUrl> ParseTargetUrl(std::string_view url);

}  // namespace pinpipe::emulate
