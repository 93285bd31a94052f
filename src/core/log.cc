// Component loggers built on spdlog with one shared stderr sink.
#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <map>
#include <memory>
#include <mutex>

namespace pinpipe::core {
namespace {

constexpr char kPattern[] = "ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l component=%n %v";

struct Registry {
  std::mutex mu;
  std::shared_ptr<spdlog::sinks::stderr_sink_mt> sink =
      std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

Registry& GetRegistry() {
  static Registry* r = [] {
    auto* reg = new Registry();
    reg->sink->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    return reg;
  }();
  return *r;
}

}  // namespace

void InitLogging(const LogOptions& options) {
  Registry& r = GetRegistry();
  std::lock_guard lock(r.mu);
  r.level = spdlog::level::from_str(options.level);
  for (auto& [name, logger] : r.loggers) logger->set_level(r.level);
}

spdlog::logger& Log(std::string_view component) {
  Registry& r = GetRegistry();
  std::lock_guard lock(r.mu);
  auto it = r.loggers.find(component);
  if (it == r.loggers.end()) {
    auto logger = std::make_shared<spdlog::logger>(std::string(component), r.sink);
    logger->set_level(r.level);
    logger->flush_on(spdlog::level::trace);
    it = r.loggers.emplace(std::string(component), std::move(logger)).first;
  }
  return *it->second;
}

std::string LogValue(std::string_view value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') needs_quotes = true;
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace pinpipe::core
