// Fills options the command line did not set, from the environment
// (PINPIPE_<OPTION>) and then the --config TOML file, so precedence is
// flag > env > file > default (spec/cli.md).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

#include "core/config_file.h"
#include "core/status.h"

namespace pinpipe::cli {

// Looks up an environment variable; injected so tests need no real env.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// "data-dir" -> "PINPIPE_DATA_DIR".
std::string EnvNameFor(std::string_view long_name);

// For each option of `app` (not its subcommands) that the command line left
// unset: env first, then `config` in table `section` (or top level). Values
// go through the option's own validators; a bad one is kInvalidArgument
// naming where it came from.
Status ApplyOptionSources(CLI::App& app, std::string_view section, const EnvLookup& env,
                          const core::ConfigFile& config);

}  // namespace pinpipe::cli
