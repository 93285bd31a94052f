// OpenLiveSink's URL forms and the storable-text helpers both backends use.
#include "sinks/live_sink.h"

#include <gtest/gtest.h>

#include "subprocess.h"

namespace pinpipe::sinks {
namespace {

TEST(OpenLiveSinkTest, SqliteUrlOpensAFile) {
  testing::TempDir dir;
  auto sink = OpenLiveSink("sqlite:" + dir.File("live.db"));
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_EQ((*sink)->Describe(), "sqlite:" + dir.File("live.db"));
  EXPECT_TRUE((*sink)->ReadPositions("pins")->empty());
}

TEST(OpenLiveSinkTest, UnknownSchemeNamesTheAcceptedForms) {
  auto sink = OpenLiveSink("mysql://host/db");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sink.status().message().find("postgresql://"), std::string::npos);
}

TEST(OpenLiveSinkTest, EmptySqlitePathIsInvalid) {
  EXPECT_EQ(OpenLiveSink("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenLiveSinkTest, UnreachablePostgresIsUnavailable) {
  auto sink = OpenLiveSink("postgres://nobody@127.0.0.1:1/db", {.connect_timeout = std::chrono::seconds(2)});
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), StatusCode::kUnavailable) << sink.status().ToString();
}

TEST(StorableTextTest, ValidTextIsKept) {
  std::string s = "plain, \xC3\xA9, \xE2\x80\xA6\xC2\xA0, \xF0\x9F\x98\x80";
  EXPECT_TRUE(IsStorableText(s));
  EXPECT_EQ(ToStorableText(s), s);
}

TEST(StorableTextTest, NulAndInvalidBytesBecomeReplacementCharacters) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(ToStorableText(std::string("a\0b", 3)), "a" + r + "b");
  EXPECT_EQ(ToStorableText("\xff"), r);
  EXPECT_EQ(ToStorableText("\xC3"), r);                          // truncated sequence
  EXPECT_EQ(ToStorableText("\xC0\xAF"), r + r);                  // overlong
  EXPECT_EQ(ToStorableText("\xED\xA0\x80"), r + r + r);          // surrogate
  EXPECT_EQ(ToStorableText("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_FALSE(IsStorableText(std::string("\0", 1)));
}

TEST(IsNewerTest, OrdersByIngestedAtThenPartitionThenOffset) {
  auto row = [](int64_t t, int p, int64_t o) {
    LiveRow r;
    r.record.ingested_at = t;
    r.position = {p, o};
    return r;
  };
  EXPECT_TRUE(IsNewer(row(2, 0, 0), row(1, 9, 9)));
  EXPECT_TRUE(IsNewer(row(1, 1, 0), row(1, 0, 9)));
  EXPECT_TRUE(IsNewer(row(1, 1, 2), row(1, 1, 1)));
  EXPECT_FALSE(IsNewer(row(1, 1, 1), row(1, 1, 1)));
}

}  // namespace
}  // namespace pinpipe::sinks
