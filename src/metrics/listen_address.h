// "host:port" as the --listen options spell it, parsed once for every HTTP
// server in pinpipe (metrics endpoint, ingest API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace pinpipe::metrics {

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 address ("localhost" becomes 127.0.0.1)
  uint16_t port = 0;  // 0: any free port
};

// Accepts "127.0.0.1:8000", "0.0.0.0:0", "[::1]:9100", "localhost:8000" and
// ":8000" (all IPv4 interfaces). kInvalidArgument otherwise.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace pinpipe::metrics
