// The command registry and the shared error/default helpers.
#include "cli/command.h"

#include <algorithm>
#include <cstdio>

namespace pinpipe::cli {

std::vector<CommandEntry>& RegisteredCommands() {
  static std::vector<CommandEntry> commands;
  return commands;
}

bool RegisterCommand(int order, SetupFn setup) {
  auto& commands = RegisteredCommands();
  commands.push_back({order, setup});
  std::stable_sort(commands.begin(), commands.end(),
                   [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
  return true;
}

int ReportError(std::string_view command, const Status& status) {
  std::fprintf(stderr, "pinpipe %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int UsageError(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "pinpipe %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return kExitUsage;
}

std::string DefaultBusUrl(const GlobalOptions& g) { return "log:" + g.data_dir + "/log"; }
std::string DefaultLakeUrl(const GlobalOptions& g) { return "file:" + g.data_dir + "/lake"; }
std::string DefaultWarehouseUrl(const GlobalOptions& g) {
  return "sqlite:" + g.data_dir + "/warehouse.db";
}
std::string DefaultSinkUrl(const GlobalOptions& g) { return "sqlite:" + g.data_dir + "/live.db"; }

}  // namespace pinpipe::cli
