#include "jobs/lake_line.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>
#include "test_time.h"

namespace pinpipe::jobs {
namespace {

using testing::At;

LakeLine RoundTrip(std::string_view raw, std::string* line, std::string* scratch) {
  line->clear();
  AppendLakeLine(At("2026-11-26T10:00:00.123456Z"), 3, 17, raw, line);
  LakeLine parsed;
  Status st = ParseLakeLine(*line, &parsed, scratch);
  EXPECT_TRUE(st.ok()) << st.ToString() << " line: " << *line;
  return parsed;
}

TEST(LakeLineTest, WritesTheDocumentedShape) {
  std::string line;
  AppendLakeLine(At("2026-11-26T10:00:00.123456Z"), 3, 17, R"({"unique_id":"a\"b"})", &line);
  EXPECT_EQ(line,
            R"({"ingested_at":"2026-11-26T10:00:00.123456Z","partition":3,"offset":17,"raw":"{\"unique_id\":\"a\\\"b\"}"})");
}

TEST(LakeLineTest, RawBytesRoundTripExactly) {
  std::string line, scratch;
  for (std::string raw : {std::string(R"({"title":"x\ny","d":"é \u00a0 😀 \\"})"), std::string("plain"),
                          std::string(""), std::string("tab\tnl\ncr\r\x01\x1f del\x7f"),
                          std::string("nul\0inside", 10), std::string("\xe2\x80\xa8 line sep")}) {
    LakeLine parsed = RoundTrip(raw, &line, &scratch);
    EXPECT_EQ(parsed.raw, raw);
    EXPECT_EQ(parsed.partition, 3);
    EXPECT_EQ(parsed.offset, 17);
    EXPECT_EQ(parsed.ingested_at, At("2026-11-26T10:00:00.123456Z"));
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
}

TEST(LakeLineTest, TimestampsKeepEveryMicrosecondEvenBeforeTheEpoch) {
  for (UnixMicros t : {UnixMicros{-1}, UnixMicros{0}, UnixMicros{999'999}, At("2026-11-26T10:00:00.123456Z"),
                       At("2026-11-26T10:00:00.123457Z"), At("2026-11-26T10:00:01Z"), At("1969-12-31T23:59:59.5Z")}) {
    std::string line;
    AppendLakeLine(t, 0, 0, "x", &line);
    LakeLine parsed;
    std::string scratch;
    ASSERT_TRUE(ParseLakeLine(line, &parsed, &scratch).ok()) << line;
    EXPECT_EQ(parsed.ingested_at, t) << line;
    EXPECT_NE(line.find(FormatRfc3339Micros(t)), std::string::npos) << line;
  }
}

TEST(LakeLineTest, LongRawRecordsWithSpecialsAtEveryPositionRoundTrip) {
  std::string line, scratch;
  for (size_t at = 0; at < 40; ++at) {
    for (char special : {'"', '\\', '\n', '\x01'}) {
      std::string raw(40, 'a');
      raw[at] = special;
      EXPECT_EQ(RoundTrip(raw, &line, &scratch).raw, raw) << at;
    }
  }
}

TEST(LakeLineTest, InvalidUtf8UsesBase64Losslessly) {
  std::string line, scratch;
  for (std::string raw : {std::string("\xff"), std::string("ab\xc3"), std::string("\xed\xa0\x80 surrogate"),
                          std::string("\xc0\xaf overlong"), std::string("x\xf4\x90\x80\x80")}) {
    LakeLine parsed = RoundTrip(raw, &line, &scratch);
    EXPECT_NE(line.find("\"raw_base64\":"), std::string::npos) << line;
    EXPECT_EQ(parsed.raw, raw);
  }
}

TEST(LakeLineTest, RandomBytesRoundTrip) {
  std::mt19937 rng(42);
  std::string line, scratch;
  for (int i = 0; i < 2000; ++i) {
    std::string raw(rng() % 40, '\0');
    for (char& c : raw) c = static_cast<char>(rng() % 3 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    EXPECT_EQ(RoundTrip(raw, &line, &scratch).raw, raw);
  }
}

TEST(LakeLineTest, AcceptsAnyKeyOrderWhitespaceAndUnknownFields) {
  std::string scratch;
  LakeLine out;
  std::string line =
      R"( { "raw" : "{}" , "extra":{"a":[1,2.5e3,-0.1,true,false,null,"s"]}, "offset":5,)"
      R"( "partition":0, "ingested_at":"2026-11-26T10:00:00Z", "key":"k" } )";
  Status st = ParseLakeLine(line, &out, &scratch);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out.raw, "{}");
  EXPECT_EQ(out.offset, 5);
  EXPECT_EQ(out.partition, 0);
}

TEST(LakeLineTest, UnicodeEscapesDecode) {
  std::string scratch;
  LakeLine out;
  std::string line =
      R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":2,"raw":"\u00e9\ud83d\ude00\/"})";
  ASSERT_TRUE(ParseLakeLine(line, &out, &scratch).ok());
  EXPECT_EQ(out.raw, "\xc3\xa9\xf0\x9f\x98\x80/");
}

TEST(LakeLineTest, MalformedLinesAreCorruption) {
  const std::string ok_prefix = R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":2,)";
  for (const std::string& line : std::vector<std::string>{
           std::string(""), std::string("[]"), std::string("{"), std::string("not json"),
           ok_prefix + R"("raw":"x"} trailing)",
           ok_prefix + R"("raw":"x",})",
           ok_prefix + R"("raw":"unterminated})",
           ok_prefix + R"("raw":"bad \q escape"})",
           ok_prefix + R"("raw":"\ud800 lone"})",
           ok_prefix + R"("raw":"\udc00"})",
           ok_prefix + "\"raw\":\"ctl \x01\"}",
           ok_prefix + "\"raw\":\"bad utf8 \xff\"}",
           ok_prefix + R"("raw":"x","raw_base64":"eA=="})",
           ok_prefix + R"("raw_base64":"e==="})",
           ok_prefix + R"("raw_base64":"eA="})",
           ok_prefix + R"("raw":"x","offset":3})",
           ok_prefix + R"("x":[1,2})",
           R"({"ingested_at":"yesterday","partition":1,"offset":2,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":-1,"offset":2,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":2.5,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":012,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":99999999999999999999,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":3000000000,"offset":2,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"raw":"x"})",
           R"({"partition":1,"offset":2,"raw":"x"})",
           R"({"ingested_at":"9999-12-31T23:59:60.5Z","partition":1,"offset":2,"raw":"x"})",
           R"({"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":2})",
       }) {
    std::string scratch;
    LakeLine out;
    Status st = ParseLakeLine(line, &out, &scratch);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << line << " -> " << st.ToString();
  }
}

TEST(LakeLineTest, DeepNestingIsRejectedNotRecursedForever) {
  std::string line = R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') +
                     R"(,"ingested_at":"2026-11-26T10:00:00Z","partition":1,"offset":2,"raw":"x"})";
  std::string scratch;
  LakeLine out;
  EXPECT_EQ(ParseLakeLine(line, &out, &scratch).code(), StatusCode::kCorruption);
}

TEST(Utf8Test, ValidationAndRepair) {
  EXPECT_TRUE(IsValidUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80\xe2\x80\xa6\xc2\xa0"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));
  EXPECT_FALSE(IsValidUtf8("abcdefgh\x80"));
  EXPECT_EQ(ToValidUtf8("a\xffz\xc3"), "a\xef\xbf\xbdz\xef\xbf\xbd");
  EXPECT_EQ(ToValidUtf8("ok \xc3\xa9"), "ok \xc3\xa9");
}

}  // namespace
}  // namespace pinpipe::jobs
