// --listen parsing; the address itself is validated by Boost.Asio.
#include "metrics/listen_address.h"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace pinpipe::metrics {

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("listen address '" + std::string(text) + "' " + std::string(why) +
                                   " (want host:port, e.g. 127.0.0.1:8000 or [::1]:8000)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("has no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return bad("has no valid port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  ListenAddress out;
  out.port = static_cast<uint16_t>(port);
  if (host.empty()) {
    out.host = "0.0.0.0";
  } else if (host == "localhost") {
    out.host = "127.0.0.1";
  } else {
    boost::system::error_code parse_error;
    boost::asio::ip::make_address(std::string(host), parse_error);
    if (parse_error) return bad("has no numeric host address");
    out.host = std::string(host);
  }
  return out;
}

}  // namespace pinpipe::metrics
