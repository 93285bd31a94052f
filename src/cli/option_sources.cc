// Env and config-file option sources layered under CLI11's own parsing.
#include "cli/option_sources.h"

#include <cctype>
#include <cstdlib>

namespace pinpipe::cli {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string EnvNameFor(std::string_view long_name) {
  std::string out = "PINPIPE_";
  for (char c : long_name) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

namespace {

Status Apply(CLI::Option* opt, const std::vector<std::string>& values, const std::string& source) {
  try {
    for (const auto& v : values) opt->add_result(v);
    opt->run_callback();
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument("--" + opt->get_single_name() + " from " + source + ": " + e.what());
  }
  return Status::Ok();
}

}  // namespace

Status ApplyOptionSources(CLI::App& app, std::string_view section, const EnvLookup& env,
                          const core::ConfigFile& config) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt->count() > 0 || opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help") continue;
    std::string env_name = EnvNameFor(name);
    if (auto v = env(env_name)) {
      if (opt->get_expected_max() == 0 && (*v == "0" || *v == "false")) continue;
      PINPIPE_RETURN_IF_ERROR(Apply(opt, {opt->get_expected_max() == 0 ? "true" : *v}, env_name));
      continue;
    }
    if (auto v = config.Lookup(section, name)) {
      if (opt->get_expected_max() == 0) {
        if (!v->empty() && (*v)[0] == "true") PINPIPE_RETURN_IF_ERROR(Apply(opt, {"true"}, "config"));
        continue;
      }
      PINPIPE_RETURN_IF_ERROR(Apply(opt, *v, "config [" + std::string(section) + "] " + name));
    }
  }
  return Status::Ok();
}

}  // namespace pinpipe::cli
