// pinpipe: parses the command line, layers env and config-file options
// under it, and runs the chosen subcommand. Exit 0 ok, 1 failure, 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/option_sources.h"
#include "core/log.h"

namespace pinpipe::cli {
namespace {

constexpr char kFooter[] = R"(
Where things live (embedded defaults under --data-dir; URLs switch backends):
  --bus        log:<data-dir>/log              kafka://host:9092
  --lake       file:<data-dir>/lake            s3://bucket/prefix?endpoint=http://host:9000
  --warehouse  sqlite:<data-dir>/warehouse.db  clickhouse://host:8123/db
  --sink       sqlite:<data-dir>/live.db       postgresql://user@host:5432/db
Options also come from PINPIPE_<OPTION> env vars and --config FILE (TOML,
a table per subcommand); precedence: flag > env > file > default.

Example: pinpipe gen --count 1000 | pinpipe clean --input - --output clean.ndjson --rejects rejects.ndjson
Run 'pinpipe <command> --help' for each command's options and an example.)";

int Main(int argc, char** argv) {
  GlobalOptions globals;
  CLI::App app{"pinpipe: Pinterest post events from HTTP to log, lake, warehouse and live tables", "pinpipe"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(kFooter);
  app.set_version_flag("--version", "pinpipe 0.1.0");
  app.add_option("--data-dir", globals.data_dir, "Where embedded state lives")->capture_default_str();
  app.add_option("--config", globals.config, "TOML config file");
  app.add_option("--log-level", globals.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  std::vector<std::pair<CLI::App*, RunFn>> commands;
  for (const CommandEntry& entry : RegisteredCommands()) commands.push_back(entry.setup(app, globals));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  EnvLookup env = ProcessEnv();
  core::ConfigFile config;
  Status st = ApplyOptionSources(app, "", env, config);  // --config itself may come from env
  if (!st.ok()) return ReportError("", st);
  if (!globals.config.empty()) {
    auto loaded = core::ConfigFile::Load(globals.config);
    if (!loaded.ok()) return ReportError("", loaded.status());
    config = std::move(loaded).value();
    st = ApplyOptionSources(app, "", env, config);
    if (!st.ok()) return ReportError("", st);
  }
  // Each chosen subcommand (and nested ones) reads its own table.
  for (CLI::App* sub = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
       sub != nullptr; sub = sub->get_subcommands().empty() ? nullptr : sub->get_subcommands().front()) {
    st = ApplyOptionSources(*sub, app.get_subcommands().front()->get_name(), env, config);
    if (!st.ok()) return ReportError(sub->get_name(), st);
  }
  core::InitLogging({.level = globals.log_level});

  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  return UsageError("", "no command given; see pinpipe --help");
}

}  // namespace
}  // namespace pinpipe::cli

int main(int argc, char** argv) { return pinpipe::cli::Main(argc, argv); }
