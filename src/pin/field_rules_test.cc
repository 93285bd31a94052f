// Text rules alone: follower_count forms, digits, UUIDs, trimming of every
// whitespace code point, UTF-8 decoding edge cases, save_location prefix.
#include "pin/field_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pin/unicode_text.h"

namespace pinpipe::pin {
namespace {

TEST(FollowerCountTextTest, Forms) {
  struct Case {
    std::string text;
    std::optional<int64_t> want;
  };
  const std::vector<Case> cases = {
      {"0", 0}, {"874", 874}, {"970", 970}, {"1,234", 1234}, {"12,345,678", 12345678},
      {"1k", 1000}, {"991k", 991000}, {"12K", 12000}, {"1.2k", 1200}, {"1.25k", 1250},
      {"0.5k", 500}, {"0.0005k", 1}, {"0.0004k", 0}, {"1.0005k", 1001}, {"2.5M", 2500000},
      {"15M", 15000000}, {"1m", 1000000}, {"3b", 3000000000}, {"1.23456789012B", 1234567890},
      {"00012", 12}, {"1.50000000000000000000000000k", 1500},
      {"", std::nullopt}, {"k", std::nullopt}, {"M", std::nullopt}, {"12kk", std::nullopt},
      {"1.2.3k", std::nullopt}, {"1,2k", std::nullopt}, {"-5", std::nullopt}, {"+5", std::nullopt},
      {"5 ", std::nullopt}, {"1e3", std::nullopt}, {"12.5", std::nullopt}, {"1,23", std::nullopt},
      {"1,2345", std::nullopt}, {"1234,567", std::nullopt}, {",", std::nullopt},
      {"1,", std::nullopt}, {"User Info Error", std::nullopt}, {"12x", std::nullopt},
      {"9223372036854775807", INT64_MAX}, {"9223372036854775808", std::nullopt},
      {"9,223,372,036,854,775,808", std::nullopt}, {"9223372036854775.807k", INT64_MAX},
      {"9223372036854775.8075k", std::nullopt}, {"99999999999B", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseFollowerCountText(c.text), c.want) << c.text;
}

TEST(ParseDigitsTest, OnlyDigitsThatFit) {
  EXPECT_EQ(ParseDigits("0"), 0);
  EXPECT_EQ(ParseDigits("11153"), 11153);
  EXPECT_EQ(ParseDigits(""), std::nullopt);
  EXPECT_EQ(ParseDigits("1 2"), std::nullopt);
  EXPECT_EQ(ParseDigits("-1"), std::nullopt);
  EXPECT_EQ(ParseDigits("99999999999999999999"), std::nullopt);
}

TEST(IsUuidTest, HexGroupsAnyCase) {
  EXPECT_TRUE(IsUuid("fbe53c66-3442-4773-b19e-d3ec6f54dddf"));
  EXPECT_TRUE(IsUuid("FBE53C66-3442-4773-B19E-D3EC6F54DDDF"));
  EXPECT_TRUE(IsUuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(IsUuid("fbe53c66-3442-4773-b19e-d3ec6f54dddf0"));
  EXPECT_FALSE(IsUuid("fbe53c66-3442-4773-b19e-d3ec6f54ddd"));
  EXPECT_FALSE(IsUuid("fbe53c6603442-4773-b19e-d3ec6f54dddf"));
  EXPECT_FALSE(IsUuid("fbe53c66-3442-4773-b19e-d3ec6f54dddg"));
  EXPECT_FALSE(IsUuid("fbe53c66-3442-4773-b19e-d3ec-f54dddf"));
  EXPECT_FALSE(IsUuid(""));
}

TEST(TrimSpaceTest, EveryWhitespaceCodePointIsTrimmed) {
  const std::vector<std::string> spaces = {
      "\t", "\n", "\v", "\f", "\r", " ", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2001",
      "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a",
      "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"};
  for (const std::string& sp : spaces) {
    EXPECT_EQ(TrimSpace(sp + "x y" + sp + sp), "x y") << sp.size();
  }
  std::string all;
  for (const std::string& sp : spaces) all += sp;
  EXPECT_EQ(TrimSpace(all), "");
  EXPECT_EQ(TrimSpace(all + "\u2026" + all), "\u2026");
}

TEST(TrimSpaceTest, OtherCharactersStay) {
  EXPECT_EQ(TrimSpace("\u200bx\u200b"), "\u200bx\u200b");  // zero-width space is not White_Space
  EXPECT_EQ(TrimSpace("\u2026\u00a0"), "\u2026");
  EXPECT_EQ(TrimSpace("a\xa0"), "a\xa0");          // a stray byte, not U+00A0
  EXPECT_EQ(TrimSpace("\xc2"), "\xc2");            // truncated sequence
  EXPECT_EQ(TrimSpace(" \xff "), "\xff");
  EXPECT_EQ(TrimSpace("\x80\x80\x80\x80 "), "\x80\x80\x80\x80");
}

TEST(DecodeUtf8Test, RejectsIllFormedSequences) {
  char32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("\u00e9", &cp), 2u);
  EXPECT_EQ(cp, 0xE9u);
  EXPECT_EQ(DecodeUtf8("\U0010FFFF", &cp), 4u);
  EXPECT_EQ(cp, 0x10FFFFu);
  for (const char* bad : {"\x80", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80",
                          "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82",
                          "\xe2\x28\xa1", "\xff"}) {
    EXPECT_EQ(DecodeUtf8(bad, &cp), 0u) << bad;
  }
  EXPECT_EQ(DecodeUtf8("", &cp), 0u);
}

TEST(StripSavePrefixTest, PrefixOnlyWhenFollowedBySpace) {
  EXPECT_EQ(StripSavePrefix("Local save in /data/art"), "/data/art");
  EXPECT_EQ(StripSavePrefix("Local save in\u00a0/data/art"), "/data/art");
  EXPECT_EQ(StripSavePrefix("Local save in"), "");
  EXPECT_EQ(StripSavePrefix("Local save in/data"), "Local save in/data");
  EXPECT_EQ(StripSavePrefix("/data/art"), "/data/art");
}

TEST(MediaKindTest, ExactNames) {
  EXPECT_EQ(ParseMediaKind("image"), MediaKind::kImage);
  EXPECT_EQ(ParseMediaKind("video"), MediaKind::kVideo);
  EXPECT_EQ(ParseMediaKind("multi-video(story page format)"), MediaKind::kStory);
  EXPECT_EQ(ParseMediaKind("Video"), MediaKind::kUnknown);
  EXPECT_EQ(ParseMediaKind(""), MediaKind::kUnknown);
}

}  // namespace
}  // namespace pinpipe::pin
