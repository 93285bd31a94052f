// http:// URL parsing for --target.
#include "emulate/target_url.h"

#include <charconv>

namespace pinpipe::emulate {

Result<TargetUrl> ParseTargetUrl(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("--target '" + std::string(url) + "': " + std::string(why) +
                                   " (want http://host:port, e.g. http://127.0.0.1:8000)");
  };
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad("only http:// is supported");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  TargetUrl out;
  std::string_view host = authority;
  size_t colon = authority.rfind(':');
  bool bracketed = !authority.empty() && authority.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || authority.find(']') < colon)) {
    host = authority.substr(0, colon);
    std::string_view port_text = authority.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad("bad port");
    }
    out.port = static_cast<uint16_t>(port);
  }
  if (bracketed && host.size() >= 2 && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return bad("no host");
  out.host = std::string(host);
  if (path.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment allowed");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (std::string_view route : {std::string_view("/pins"), std::string_view("/pin")}) {
    if (path.size() >= route.size() && path.substr(path.size() - route.size()) == route) {
      path.remove_suffix(route.size());
      break;
    }
  }
  out.base_path = std::string(path);
  return out;
}

}  // namespace pinpipe::emulate
