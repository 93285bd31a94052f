// Structured logging: one line per notable event, `key=value` pairs, UTC
// timestamps and a component field, on stderr. Never log per record.
//   core::Log("log").info("event=segment_rolled partition={} base_offset={}", p, o);
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace pinpipe::core {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, off
};

// Sets level and line format for every component logger. Call once from main
// before threads start; components that log before it get the defaults.
void InitLogging(const LogOptions& options);

// The logger for a component ("api", "log", "land", ...). Thread-safe; the
// reference stays valid for the life of the process.
spdlog::logger& Log(std::string_view component);

// Quotes a value for a key=value line when it holds spaces, quotes or '='.
std::string LogValue(std::string_view value);

}  // namespace pinpipe::core
