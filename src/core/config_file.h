// The `--config pinpipe.toml` file: keys named like the long options, a table
// per subcommand, top-level keys shared by all. Read with toml++.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pinpipe::core {

// Immutable after Load; thread-safe for reads.
class ConfigFile {
 public:
  // An empty config (no file given).
  ConfigFile();
  ~ConfigFile();
  ConfigFile(ConfigFile&&) noexcept;
  ConfigFile& operator=(ConfigFile&&) noexcept;

  // Parses a TOML file; errors name the file, line and column.
  static Result<ConfigFile> Load(const std::string& path);
  static Result<ConfigFile> Parse(std::string_view text, std::string_view source_name);

  // The value of `key` in table `[section]`, else at the top level, as text:
  // strings as they are, numbers and booleans in TOML spelling, arrays as a
  // list of such items. nullopt when absent in both.
  std::optional<std::vector<std::string>> Lookup(std::string_view section, std::string_view key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::core
