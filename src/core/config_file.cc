// ConfigFile over toml++ (built with exceptions off is not assumed: parse
// errors are caught here and become Status).
#include "core/config_file.h"

#include <toml++/toml.h>

#include <sstream>

namespace pinpipe::core {

struct ConfigFile::Impl {
  toml::table root;
};

ConfigFile::ConfigFile() : impl_(std::make_unique<Impl>()) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

Result<ConfigFile> ConfigFile::Parse(std::string_view text, std::string_view source_name) {
  ConfigFile cfg;
  try {
    cfg.impl_->root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config " << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  }
  return cfg;
}

Result<ConfigFile> ConfigFile::Load(const std::string& path) {
  ConfigFile cfg;
  try {
    cfg.impl_->root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config " << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return Status::InvalidArgument(msg.str());
  }
  return cfg;
}

namespace {
std::optional<std::string> ScalarText(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) {
    std::ostringstream out;
    out << *node.value<double>();
    return out.str();
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::vector<std::string>> ConfigFile::Lookup(std::string_view section,
                                                            std::string_view key) const {
  const toml::node* node = nullptr;
  if (const toml::table* table = impl_->root[section].as_table()) node = table->get(key);
  if (node == nullptr) node = impl_->root.get(key);
  if (node == nullptr || node->is_table()) return std::nullopt;
  std::vector<std::string> out;
  if (const toml::array* arr = node->as_array()) {
    for (const toml::node& item : *arr) {
      if (auto text = ScalarText(item)) out.push_back(*text);
    }
    return out;
  }
  if (auto text = ScalarText(*node)) out.push_back(*text);
  return out;
}

}  // namespace pinpipe::core
