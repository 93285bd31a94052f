// How subcommands plug into `pinpipe`: each cmd_*.cc registers a setup
// function that adds its CLI11 subcommand and options and returns the code to
// run when that subcommand is chosen. main() owns parsing and exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace pinpipe::cli {

// Options every subcommand sees; final (flag > env > file > default) before
// any RunFn is called.
struct GlobalOptions {
  std::string data_dir = "./pinpipe-data";
  std::string config;
  std::string log_level = "info";
};

// Exit codes (spec/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs the chosen subcommand; returns its exit code.
using RunFn = std::function<int()>;

// Adds one subcommand to `app`. The returned RunFn is called only if that
// subcommand was chosen, after options are final. `globals` outlives it.
using SetupFn = std::pair<CLI::App*, RunFn> (*)(CLI::App& app, const GlobalOptions& globals);

struct CommandEntry {
  int order;  // position in `pinpipe --help`
  SetupFn setup;
};

// Every registered command, sorted by order.
std::vector<CommandEntry>& RegisteredCommands();
bool RegisterCommand(int order, SetupFn setup);

#define PINPIPE_REGISTER_COMMAND(order, setup_fn) \
  static const bool PINPIPE_CONCAT(pinpipe_registered_, __LINE__) = \
      ::pinpipe::cli::RegisterCommand(order, setup_fn)

// Prints "pinpipe <command>: <status message>" on stderr; returns the exit
// code for it (2 for kInvalidArgument, else 1).
int ReportError(std::string_view command, const Status& status);

// Prints "pinpipe <command>: <message>" and returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);

// Embedded defaults under --data-dir (spec/cli.md).
std::string DefaultBusUrl(const GlobalOptions& g);        // log:<data-dir>/log
std::string DefaultLakeUrl(const GlobalOptions& g);       // file:<data-dir>/lake
std::string DefaultWarehouseUrl(const GlobalOptions& g);  // sqlite:<data-dir>/warehouse.db
std::string DefaultSinkUrl(const GlobalOptions& g);       // sqlite:<data-dir>/live.db

}  // namespace pinpipe::cli
