#include "core/config_file.h"

#include <gtest/gtest.h>

namespace pinpipe::core {
namespace {

TEST(ConfigFileTest, SectionBeatsTopLevel) {
  auto cfg = ConfigFile::Parse(
      "data-dir = \"/srv/pinpipe\"\nbus = \"log:/a\"\n[stream]\nbus = \"kafka://k:9092\"\nmax-rows = 500\n",
      "test.toml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->Lookup("stream", "bus")->at(0), "kafka://k:9092");
  EXPECT_EQ(cfg->Lookup("land", "bus")->at(0), "log:/a");
  EXPECT_EQ(cfg->Lookup("stream", "max-rows")->at(0), "500");
  EXPECT_EQ(cfg->Lookup("stream", "data-dir")->at(0), "/srv/pinpipe");
  EXPECT_FALSE(cfg->Lookup("stream", "missing").has_value());
}

TEST(ConfigFileTest, ArraysBecomeLists) {
  auto cfg = ConfigFile::Parse("[api]\nkafka-property = [\"a=1\", \"b=2\"]\n", "t.toml");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(*cfg->Lookup("api", "kafka-property"), (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(ConfigFileTest, SyntaxErrorNamesLine) {
  auto cfg = ConfigFile::Parse("a = 1\nb = = 2\n", "bad.toml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("bad.toml:2"), std::string::npos) << cfg.status().message();
}

TEST(ConfigFileTest, MissingFileIsAnError) {
  EXPECT_FALSE(ConfigFile::Load("/nonexistent/pinpipe.toml").ok());
}

}  // namespace
}  // namespace pinpipe::core
