#include "jobs/lake_line.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
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

TEST(LakeLineTest, AShorterEscapedRawAfterALongerOneComesBackWhole) {
  // The scratch buffer keeps its largest size; each raw is only its own bytes.
  std::string line, scratch;
  std::string longer = "{\"t\":\"" + std::string(5000, 'x') + "\"}";
  EXPECT_EQ(RoundTrip(longer, &line, &scratch).raw, longer);
  EXPECT_EQ(RoundTrip(R"({"t":"y"})", &line, &scratch).raw, R"({"t":"y"})");
  EXPECT_EQ(RoundTrip("\"", &line, &scratch).raw, "\"");
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

// Most lines take a fast path for the writer's exact shape; a leading space
// sends the same line through the general parser, which must agree.
void ExpectBothPathsAgree(const std::string& line) {
  LakeLine fast, general;
  std::string fast_scratch, general_scratch;
  std::string spaced = " " + line;  // general.raw may point into it
  Status fast_status = ParseLakeLine(line, &fast, &fast_scratch);
  Status general_status = ParseLakeLine(spaced, &general, &general_scratch);
  ASSERT_EQ(fast_status.code(), general_status.code()) << line << " -> " << fast_status.ToString();
  if (!fast_status.ok()) return;
  EXPECT_EQ(fast.ingested_at, general.ingested_at) << line;
  EXPECT_EQ(fast.partition, general.partition) << line;
  EXPECT_EQ(fast.offset, general.offset) << line;
  EXPECT_EQ(fast.raw, general.raw) << line;
}

TEST(LakeLineTest, WriterShapeAndGeneralParserAgree) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"\"", "\\", "/", "\n", "\t", "\x01", "\x1f", "é", "😀",
                                           "\xe2\x80\xa8", "a", "plain text run ", std::string(1, '\0')};
  for (int i = 0; i < 3000; ++i) {
    std::string raw;
    for (size_t n = rng() % 60; n > 0; --n) raw += pieces[rng() % pieces.size()];
    UnixMicros t = At("2026-11-26T10:00:00Z") + static_cast<int64_t>(rng() % 5'000'000) - 2'500'000;
    int32_t partition = i % 7 == 0 ? INT32_MAX : static_cast<int32_t>(rng() % 100);
    int64_t offset = i % 11 == 0 ? INT64_MAX : static_cast<int64_t>(rng());
    std::string line;
    AppendLakeLine(t, partition, offset, raw, &line);
    ExpectBothPathsAgree(line);
    LakeLine parsed;
    std::string scratch;
    ASSERT_TRUE(ParseLakeLine(line, &parsed, &scratch).ok()) << line;
    EXPECT_EQ(parsed.raw, raw);
    EXPECT_EQ(parsed.ingested_at, t);
    EXPECT_EQ(parsed.partition, partition);
    EXPECT_EQ(parsed.offset, offset);
  }
}

TEST(LakeLineTest, EscapesAtEveryBlockAndWindowBoundaryDecode) {
  // The decoder works in 16-byte blocks and 64-byte windows and copies runs
  // in 16-byte pieces; an escape at each offset of a long record crosses
  // every one of those edges, near the start, middle and end of the line.
  std::string line, scratch;
  for (std::string special : {"\"", "\\", "\n", "\x01", "é", "😀"}) {
    for (size_t at = 0; at < 200; ++at) {
      std::string raw(200, 'a');
      raw.replace(at, 1, special);
      if (at % 3 == 0) raw.replace(199 - at / 2, 1, "\"");  // a second escape, from the other end
      EXPECT_EQ(RoundTrip(raw, &line, &scratch).raw, raw) << at;
      ExpectBothPathsAgree(line);
    }
  }
  // A two-byte escape (\\) straddling each block and window edge.
  for (size_t at = 0; at < 140; ++at) {
    std::string raw(at, 'b');
    raw += "\\";
    raw += std::string(140 - at, 'c');
    EXPECT_EQ(RoundTrip(raw, &line, &scratch).raw, raw) << at;
  }
}

TEST(LakeLineTest, UnicodeEscapesAndBadEscapesInLongRecords) {
  const std::string head = R"({"ingested_at":"2026-11-26T10:00:00.000001Z","partition":1,"offset":2,"raw":")";
  for (size_t pad = 0; pad < 100; pad += 7) {
    std::string p(pad, 'x');
    std::string tail(90, 'y');
    std::string scratch;
    LakeLine out;
    std::string good = head + p + R"(\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t)" + tail + "\"}";
    ASSERT_TRUE(ParseLakeLine(good, &out, &scratch).ok()) << good;
    EXPECT_EQ(out.raw, p + "\xc3\xa9\xf0\x9f\x98\x80\"\\/\b\f\n\r\t" + tail);
    ExpectBothPathsAgree(good);
    for (std::string bad : {R"(\q)", R"(\ud800)", R"(\udc00)", R"(\u12)", "\x01", "\xff", "\xc3\\\""}) {
      std::string line = head + p + bad + tail + "\"}";
      Status st = ParseLakeLine(line, &out, &scratch);
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << line;
      ExpectBothPathsAgree(line);
    }
  }
}

TEST(LakeLineTest, EveryTruncationOfAWrittenLineIsCorruption) {
  std::string raw = R"({"title":"a \"quoted\" word","d":"é\\😀","n":"line
two"})" + std::string(150, 'z');
  std::string line, scratch;
  RoundTrip(raw, &line, &scratch);
  for (size_t cut = 0; cut < line.size(); ++cut) {
    LakeLine out;
    Status st = ParseLakeLine(line.substr(0, cut), &out, &scratch);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << cut;
  }
}

// A line in the writer's key order, from the texts of its fields.
std::string WriterOrder(std::string_view time, std::string_view partition, std::string_view offset,
                        std::string_view rest = R"("raw":"x"})") {
  return R"({"ingested_at":")" + std::string(time) + R"(","partition":)" + std::string(partition) +
         R"(,"offset":)" + std::string(offset) + "," + std::string(rest);
}

TEST(LakeLineTest, NearWriterShapesParseLikeTheGeneralParser) {
  const std::string t = "2026-11-26T10:00:00.123456Z";
  const std::string raw = R"("raw":"{\"a\":1}")";
  for (const std::string& line : std::vector<std::string>{
           WriterOrder(t, "2147483647", "9223372036854775807", raw + "}"),
           WriterOrder(t, "0", "999999999999999999", raw + "}"),
           WriterOrder("2026-11-26T10:00:00Z", "1", "2", raw + "}"),
           WriterOrder("2026-11-26t10:00:00.123456z", "1", "2", raw + "}"),
           WriterOrder("2026-11-26 10:00:00.123456Z", "1", "2", raw + "}"),
           WriterOrder("2026-11-26T10:00:00.123456+01:00", "1", "2", raw + "}"),
           WriterOrder("2026-11-26T10:00:60.500000Z", "1", "2", raw + "}"),
           WriterOrder(t, "1", "2", raw + R"(,"extra":null})"),
           WriterOrder(t, "1", "2", raw + " }"),
           WriterOrder(t, "1", "2", R"("raw_base64":"/w=="})"),
           WriterOrder(t, "1", "2", R"("r\u0061w":"x"})"),
       }) {
    LakeLine out;
    std::string scratch;
    Status st = ParseLakeLine(line, &out, &scratch);
    EXPECT_TRUE(st.ok()) << line << " -> " << st.ToString();
    ExpectBothPathsAgree(line);
  }
}

TEST(LakeLineTest, WriterShapedErrorsSayWhatWasWrong) {
  const std::string t = "2026-11-26T10:00:00.123456Z";
  for (const auto& [line, what] : std::vector<std::pair<std::string, std::string>>{
           {WriterOrder(t, "1", "2", "\"raw\":\"ctl \x01\"}"), "control character in string"},
           {WriterOrder(t, "1", "2", "\"raw\":\"bad \xc3\"}"), "not valid UTF-8"},
           {WriterOrder(t, "1", "2", R"("raw":"x\q"})"), "bad escape"},
           {WriterOrder(t, "1", "2", R"("raw":"x"}})"), "trailing bytes"},
           {WriterOrder(t, "1", "2", R"("raw":"x")"), "got end of line"},
           {WriterOrder(t, "1", "2", R"("raw":"x)"), "unterminated string"},
           {WriterOrder("2026-02-30T10:00:00.123456Z", "1", "2"), "bad ingested_at"},
           {WriterOrder("9999-12-31T23:59:60.000000Z", "1", "2"), "after year 9999"},
           {WriterOrder(t, "2147483648", "2"), "partition out of range"},
           {WriterOrder(t, "01", "2"), "leading zero"},
           {WriterOrder(t, "1", "9223372036854775808"), "overflows int64"},
       }) {
    LakeLine out;
    std::string scratch;
    Status st = ParseLakeLine(line, &out, &scratch);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << line;
    EXPECT_NE(st.message().find(what), std::string::npos) << line << " -> " << st.ToString();
  }
}

TEST(LakeLineTest, TimestampsOfAlternatingSecondsStayExact) {
  // The fast path remembers the last whole second it parsed.
  std::string line, scratch;
  for (const char* text :
       {"1970-01-01T00:00:00.000005Z", "2026-11-26T10:00:00.999999Z", "2026-11-26T10:00:01.000000Z",
        "2026-11-26T10:00:00.000001Z", "1969-12-31T23:59:59.500000Z", "1970-01-01T00:00:00.000000Z",
        "9999-12-31T23:59:59.999999Z", "0000-01-01T00:00:00.000000Z"}) {
    line.clear();
    AppendLakeLine(At(text), 1, 2, "x", &line);
    LakeLine out;
    ASSERT_TRUE(ParseLakeLine(line, &out, &scratch).ok()) << line;
    EXPECT_EQ(out.ingested_at, At(text)) << text;
    ExpectBothPathsAgree(line);
  }
}

TEST(LakeLineTest, UnescapedRawPointsIntoTheLine) {
  std::string line, scratch;
  LakeLine parsed = RoundTrip("no escapes, é ok", &line, &scratch);
  EXPECT_GE(parsed.raw.data(), line.data());
  EXPECT_LE(parsed.raw.data() + parsed.raw.size(), line.data() + line.size());
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
