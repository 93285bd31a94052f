// Sync policy parsing and option validation.
#include "bus/log/log_options.h"

#include <charconv>

namespace pinpipe::bus::log {

Result<SyncPolicy> ParseSyncPolicy(std::string_view text) {
  SyncPolicy policy;
  if (text == "always") return policy;
  if (text == "never") {
    policy.mode = SyncPolicy::Mode::kNever;
    return policy;
  }
  constexpr std::string_view kInterval = "interval-ms=";
  if (text.substr(0, kInterval.size()) == kInterval) {
    std::string_view digits = text.substr(kInterval.size());
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
    if (ec == std::errc() && end == digits.data() + digits.size() && ms >= 1) {
      policy.mode = SyncPolicy::Mode::kInterval;
      policy.interval_ms = ms;
      return policy;
    }
  }
  return Status::InvalidArgument("invalid sync policy '" + std::string(text) +
                                 "': use always, interval-ms=N (N >= 1) or never");
}

std::string SyncPolicyName(const SyncPolicy& policy) {
  switch (policy.mode) {
    case SyncPolicy::Mode::kAlways:
      return "always";
    case SyncPolicy::Mode::kInterval:
      return "interval-ms=" + std::to_string(policy.interval_ms);
    case SyncPolicy::Mode::kNever:
      return "never";
  }
  return "?";
}

Status ValidateLogOptions(const LogOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("log directory is empty");
  if (options.default_partitions < 1 || options.default_partitions > 10000) {
    return Status::InvalidArgument("partitions must be 1..10000");
  }
  if (options.segment_bytes < (64u << 10) || options.segment_bytes > (1ull << 30)) {
    return Status::InvalidArgument("segment size must be 64 KiB .. 1 GiB, got " +
                                   std::to_string(options.segment_bytes));
  }
  if (options.index_interval_bytes == 0) return Status::InvalidArgument("index interval must be > 0");
  if (options.max_pending_bytes == 0) return Status::InvalidArgument("max pending bytes must be > 0");
  if (options.commit_threads < 0) return Status::InvalidArgument("commit threads must be >= 0");
  if (options.sync_threads < 1) return Status::InvalidArgument("sync threads must be >= 1");
  if (options.clock == nullptr || options.fs == nullptr) return Status::InvalidArgument("clock and fs are required");
  return Status::Ok();
}

}  // namespace pinpipe::bus::log
