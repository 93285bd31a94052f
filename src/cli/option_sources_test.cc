#include "cli/option_sources.h"

#include <gtest/gtest.h>

#include <map>

namespace pinpipe::cli {
namespace {

struct Fixture {
  CLI::App app{"t"};
  std::string bus = "default-bus";
  int max_rows = 10;
  bool once = false;
  Fixture() {
    app.add_option("--bus", bus);
    app.add_option("--max-rows", max_rows)->check(CLI::PositiveNumber);
    app.add_flag("--once", once);
  }
};

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

core::ConfigFile Config(const char* text) { return std::move(core::ConfigFile::Parse(text, "t.toml")).value(); }

TEST(OptionSourcesTest, EnvNames) { EXPECT_EQ(EnvNameFor("data-dir"), "PINPIPE_DATA_DIR"); }

TEST(OptionSourcesTest, FlagBeatsEnvBeatsFileBeatsDefault) {
  auto cfg = Config("[stream]\nbus = \"file-bus\"\nmax-rows = 7\n");
  {
    Fixture f;
    const char* argv[] = {"t", "--bus", "flag-bus"};
    f.app.parse(3, const_cast<char**>(argv));
    ASSERT_TRUE(ApplyOptionSources(f.app, "stream", FakeEnv({{"PINPIPE_BUS", "env-bus"}}), cfg).ok());
    EXPECT_EQ(f.bus, "flag-bus");
    EXPECT_EQ(f.max_rows, 7);
  }
  {
    Fixture f;
    const char* argv[] = {"t"};
    f.app.parse(1, const_cast<char**>(argv));
    ASSERT_TRUE(ApplyOptionSources(f.app, "stream", FakeEnv({{"PINPIPE_BUS", "env-bus"}}), cfg).ok());
    EXPECT_EQ(f.bus, "env-bus");
  }
  {
    Fixture f;
    const char* argv[] = {"t"};
    f.app.parse(1, const_cast<char**>(argv));
    ASSERT_TRUE(ApplyOptionSources(f.app, "stream", FakeEnv({}), cfg).ok());
    EXPECT_EQ(f.bus, "file-bus");
  }
  {
    Fixture f;
    const char* argv[] = {"t"};
    f.app.parse(1, const_cast<char**>(argv));
    ASSERT_TRUE(ApplyOptionSources(f.app, "land", FakeEnv({}), core::ConfigFile()).ok());
    EXPECT_EQ(f.bus, "default-bus");
    EXPECT_EQ(f.max_rows, 10);
  }
}

TEST(OptionSourcesTest, FlagsFromEnvAndFile) {
  Fixture f;
  const char* argv[] = {"t"};
  f.app.parse(1, const_cast<char**>(argv));
  ASSERT_TRUE(ApplyOptionSources(f.app, "s", FakeEnv({{"PINPIPE_ONCE", "1"}}), core::ConfigFile()).ok());
  EXPECT_TRUE(f.once);
}

TEST(OptionSourcesTest, InvalidEnvValueNamesTheVariable) {
  Fixture f;
  const char* argv[] = {"t"};
  f.app.parse(1, const_cast<char**>(argv));
  Status st = ApplyOptionSources(f.app, "s", FakeEnv({{"PINPIPE_MAX_ROWS", "-3"}}), core::ConfigFile());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("PINPIPE_MAX_ROWS"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace pinpipe::cli
