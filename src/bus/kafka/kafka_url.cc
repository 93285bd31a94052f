// kafka://host:port[,host:port] → KafkaOptions.brokers.
#include <charconv>

#include "bus/kafka/kafka_bus.h"

namespace pinpipe::bus::kafka {
namespace {

constexpr std::string_view kScheme = "kafka://";
constexpr std::string_view kDefaultPort = "9092";

Status BadUrl(std::string_view url, std::string_view why) {
  return Status::InvalidArgument("bad Kafka URL '" + std::string(url) + "': " + std::string(why) +
                                 " (expected kafka://host:port[,host:port...])");
}

// One "host[:port]" item (host may be a bracketed IPv6 address).
Result<std::string> ParseBroker(std::string_view url, std::string_view item) {
  if (item.empty()) return BadUrl(url, "empty broker address");
  std::string_view host = item;
  std::string_view port;
  if (item.front() == '[') {
    size_t close = item.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unclosed '[' in an IPv6 address");
    host = item.substr(0, close + 1);
    std::string_view rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return BadUrl(url, "junk after an IPv6 address");
      port = rest.substr(1);
    }
  } else if (size_t colon = item.rfind(':'); colon != std::string_view::npos) {
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
  }
  if (host.empty() || host == "[]") return BadUrl(url, "missing host");
  if (host.find_first_of("/?#@ ") != std::string_view::npos) {
    return BadUrl(url, "host '" + std::string(host) + "' has characters a host name cannot");
  }
  if (port.empty() && item.back() != ':') port = kDefaultPort;
  int value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
    return BadUrl(url, "port '" + std::string(port) + "' is not a number in 1..65535");
  }
  return std::string(host) + ":" + std::string(port);
}

}  // namespace

Result<KafkaOptions> ParseKafkaUrl(std::string_view url) {
  if (!url.starts_with(kScheme)) return BadUrl(url, "it does not start with kafka://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) return BadUrl(url, "no broker given");
  KafkaOptions options;
  while (true) {
    size_t comma = rest.find(',');
    PINPIPE_ASSIGN_OR_RETURN(std::string broker, ParseBroker(url, rest.substr(0, comma)));
    options.brokers.push_back(std::move(broker));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return options;
}

}  // namespace pinpipe::bus::kafka
