// The JSON writer: string escaping as a round-trip property (write, parse
// with simdjson, compare), UTF-8 truncation, and the clean/reject line forms.
#include <simdjson.h>

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "pin/clean_view.h"
#include "pin/pin.h"

namespace pinpipe::pin {
namespace {

// One piece of a random input: its bytes, and what a JSON parser must read
// back after AppendJsonString (invalid bytes become one U+FFFD each).
struct Token {
  std::string bytes;
  std::string decoded;
};

const std::vector<Token>& Tokens() {
  static const std::vector<Token> tokens = [] {
    std::vector<Token> t;
    const std::string fffd = "\ufffd";
    for (int c = 0; c < 0x80; ++c) t.push_back({std::string(1, char(c)), std::string(1, char(c))});
    for (const char* valid : {"\u00e9", "\u00a0", "\u0085", "\u07ff", "\u0800", "\u2026", "\u2028",
                              "\u2029", "\ud7ff", "\ue000", "\ufeff", "\uffff", "\U00010000",
                              "\U0001F468\u200D\U0001F469", "\U0010FFFF", "\u041f", "\u3053"}) {
      t.push_back({valid, valid});
    }
    // Stray continuation bytes come after an ASCII byte, so that they never
    // complete a truncated sequence from the token before.
    t.push_back({"a\x80", "a" + fffd});
    t.push_back({"a\xbf\xbf", "a" + fffd + fffd});
    for (const char* invalid : {"\xff", "\xfe", "\xc0", "\xc1\xbf", "\xe0\x80\x80",
                                "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5", "\xe2\x82",
                                "\xf0\x9f\x98", "\xc3"}) {
      std::string bytes = invalid;
      std::string decoded;
      for (size_t i = 0; i < bytes.size(); ++i) decoded += fffd;
      t.push_back({bytes, decoded});
    }
    return t;
  }();
  return tokens;
}

TEST(JsonStringTest, RandomStringsRoundTripThroughSimdjson) {
  std::mt19937_64 rng(20261126);
  simdjson::dom::parser parser;
  const std::vector<Token>& tokens = Tokens();
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string input, want;
    size_t len = rng() % 40;
    for (size_t i = 0; i < len; ++i) {
      const Token& tok = tokens[rng() % tokens.size()];
      input += tok.bytes;
      want += tok.decoded;
    }
    std::string json;
    AppendJsonString(input, &json);
    ASSERT_TRUE(simdjson::validate_utf8(json.data(), json.size())) << json;
    std::string_view got;
    ASSERT_EQ(parser.parse(json).get_string().get(got), simdjson::SUCCESS) << json;
    ASSERT_EQ(got, want) << json;
  }
}

TEST(JsonStringTest, EscapesControlsQuotesAndBackslashes) {
  std::string out;
  AppendJsonString("a\"b\\c\n\r\t\b\f\x01\x1f\x7f", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f\"");
  out.clear();
  AppendJsonString(std::string_view("\0", 1), &out);
  EXPECT_EQ(out, "\"\\u0000\"");
}

TEST(JsonStringTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonString("caf\u00e9 \U0001F353", &out);
  EXPECT_EQ(out, "\"caf\u00e9 \U0001F353\"");
  out.clear();
  AppendJsonString("a\xffz\xe2\x82", &out);
  EXPECT_EQ(out, "\"a\ufffdz\ufffd\ufffd\"");
}

TEST(TruncateUtf8Test, NeverSplitsASequence) {
  std::string s = "ab\u20ac";  // 2 + 3 bytes
  EXPECT_EQ(TruncateUtf8(s, 10), s);
  EXPECT_EQ(TruncateUtf8(s, 5), s);
  EXPECT_EQ(TruncateUtf8(s, 4), "ab");
  EXPECT_EQ(TruncateUtf8(s, 3), "ab");
  EXPECT_EQ(TruncateUtf8(s, 2), "ab");
  EXPECT_EQ(TruncateUtf8(s, 1), "a");
  EXPECT_EQ(TruncateUtf8(s, 0), "");
  std::string four = "x\U0001F353y";
  for (size_t cut = 2; cut <= 4; ++cut) EXPECT_EQ(TruncateUtf8(four, cut), "x") << cut;
  EXPECT_EQ(TruncateUtf8(four, 5), "x\U0001F353");
}

TEST(TruncateUtf8Test, StrayContinuationBytesAreCutAnywhere) {
  std::string s = "a\x80\x80\x80\x80\x80";
  EXPECT_EQ(TruncateUtf8(s, 3), "a\x80\x80");
}

TEST(CleanJsonTest, EmptyRecordHasEveryFieldInOrder) {
  CleanRecord record;
  record.unique_id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  std::string out;
  AppendCleanJson(record, &out);
  EXPECT_EQ(out,
            R"({"unique_id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","ind":null,"title":null,)"
            R"("description":null,"poster_name":null,"follower_count":null,"tag_list":[],)"
            R"("is_video":null,"media_type":null,"image_src":null,"downloaded":null,)"
            R"("save_location":null,"category":null,"ingested_at":null})");
}

TEST(CleanJsonTest, FullRecordAndIngestedAtInRfc3339Micros) {
  CleanRecord r;
  r.unique_id = "u";
  r.ind = 7;
  r.title = "T\n";
  r.description = "D";
  r.poster_name = "P";
  r.follower_count = 9223372036854775807;
  r.tag_list = {"a", "b\"c"};
  r.is_video = true;
  r.media_type = "story";
  r.image_src = "https://x";
  r.downloaded = false;
  r.save_location = "/data/x";
  r.category = "x";
  r.ingested_at = 1795687200123456;  // 2026-11-26T10:00:00.123456Z
  std::string out;
  AppendCleanJson(r, &out);
  EXPECT_EQ(out,
            R"({"unique_id":"u","ind":7,"title":"T\n","description":"D","poster_name":"P",)"
            R"("follower_count":9223372036854775807,"tag_list":["a","b\"c"],"is_video":true,)"
            R"("media_type":"story","image_src":"https://x","downloaded":false,)"
            R"("save_location":"/data/x","category":"x","ingested_at":"2026-11-26T10:00:00.123456Z"})");
}

TEST(CleanJsonTest, InvalidBytesInARecordStillGiveValidJson) {
  CleanRecord r;
  r.unique_id = "\xff";
  r.title = std::string("\xc0\x00", 2);
  r.tag_list = {"\xed\xa0\x80"};
  std::string out;
  AppendCleanJson(r, &out);
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(out).error(), simdjson::SUCCESS) << out;
}

TEST(CleanJsonTest, RawWriterStaysInItsBoundAndMatchesTheStringWriter) {
  std::string worst(300, '\x01');  // every byte becomes \u0001 (6 bytes)
  std::vector<std::string_view> tags(20, worst);
  CleanView v;
  v.unique_id = worst;
  v.title = v.description = v.poster_name = v.media_type = v.image_src = v.save_location =
      v.category = worst;
  v.tag_list = tags;
  v.ind = INT64_MAX;
  v.follower_count = INT64_MAX;
  v.is_video = true;
  v.downloaded = false;
  std::string via_string;
  AppendCleanViewJson(v, &via_string);
  // Exactly the bound on the heap, so ASan catches a write past it.
  size_t bound = CleanViewJsonBound(v);
  std::unique_ptr<char[]> buffer(new char[bound]);
  char* end = WriteCleanViewJson(v, buffer.get());
  ASSERT_LE(end, buffer.get() + bound);
  EXPECT_EQ(std::string_view(buffer.get(), static_cast<size_t>(end - buffer.get())), via_string);
}

TEST(CleanJsonTest, ATagListFormIsPutInAsItIsAndMatchesWhatItCaches) {
  CleanRecord r;
  r.unique_id = "u";
  r.tag_list = {"a", "b\"c"};
  r.ingested_at = 1795687200123456;  // 2026-11-26T10:00:00.123456Z
  std::string plain;
  AppendCleanJson(r, &plain);
  std::string tags;
  AppendTagListJson(r.tag_list, &tags);
  std::string with_form;
  AppendCleanJson(r, tags, &with_form);
  EXPECT_EQ(with_form, plain);
  // Taken as given, not rendered again.
  std::string given;
  AppendCleanJson(r, R"(["x"])", &given);
  EXPECT_NE(given.find(R"("tag_list":["x"],)"), std::string::npos) << given;
  EXPECT_TRUE(given.ends_with(R"("ingested_at":"2026-11-26T10:00:00.123456Z"})")) << given;
}

TEST(CleanJsonTest, AViewsLayoutPointsAtEachTextAndTheTextIsTheRecordsJson) {
  // Escaped and plain values, a missing one (image_src), an empty tag list
  // and a replaced media kind: each kind of token the layout reports.
  const std::string raw =
      R"({"unique_id":" 0000ABCD-0000-4000-8000-00000000002A ","index":7,"title":"say \"hi\"\n",)"
      R"("description":"plain text","poster_name":"Zo\u00e9 \u0001","follower_count":"1.5k",)"
      R"("tag_list":"a\"b,c","is_image_or_video":"video","downloaded":0,)"
      R"("save_location":"Local save in /data/x","category":"Art"})";
  CleanViewer viewer;
  CleanView view;
  Rejection rejection;
  ASSERT_TRUE(viewer.View(raw, &view, &rejection)) << rejection.detail;
  const std::string at = "2026-11-26T10:00:00.123456Z";
  std::string out = "earlier lines\n";
  const size_t start = out.size();
  CleanJsonLayout layout;
  AppendCleanViewJson(view, at, &out, &layout);

  Cleaner cleaner;
  CleanRecord record;
  ASSERT_TRUE(cleaner.Clean(raw, &record, &rejection));
  record.ingested_at = 1795687200123456;
  std::string expected;
  AppendCleanJson(record, &expected);
  ASSERT_EQ(out.substr(start), expected);

  auto token = [&](CleanText t) {
    auto [first, second] = layout.tokens[t];
    EXPECT_LE(first, second);
    return out.substr(start + first, second - first);
  };
  EXPECT_EQ(token(kUniqueIdText), "\"0000abcd-0000-4000-8000-00000000002a\"");
  EXPECT_EQ(token(kTitleText), R"("say \"hi\"")");  // escaped: longer than the value + 2
  EXPECT_NE(token(kTitleText).size(), view.title.size() + 2);
  EXPECT_EQ(token(kDescriptionText), "\"plain text\"");
  EXPECT_EQ(token(kDescriptionText).size(), view.description.size() + 2);
  EXPECT_EQ(token(kPosterNameText), "\"Zo\u00e9 \\u0001\"");
  EXPECT_NE(token(kPosterNameText).size(), view.poster_name.size() + 2);
  std::string tags;
  AppendTagListJson(record.tag_list, &tags);
  EXPECT_EQ(token(kTagListText), tags);
  EXPECT_EQ(token(kMediaTypeText), "\"video\"");
  EXPECT_EQ(token(kImageSrcText), "null");
  EXPECT_EQ(token(kSaveLocationText), "\"/data/x\"");
  EXPECT_EQ(token(kCategoryText), "\"art\"");

  // No tags at all: the array is still a token of its own.
  ASSERT_TRUE(viewer.View(R"({"unique_id":"0000abcd-0000-4000-8000-00000000002a"})", &view, &rejection));
  out.clear();
  AppendCleanViewJson(view, at, &out, &layout);
  EXPECT_EQ(out.substr(layout.tokens[kTagListText].first,
                       layout.tokens[kTagListText].second - layout.tokens[kTagListText].first),
            "[]");
  EXPECT_EQ(out.substr(layout.tokens[kTitleText].first, 4), "null");
}

TEST(CleanJsonTest, WorstCaseRecordStaysInItsBoundAndDecodesBack) {
  // On a fresh thread the writer's scratch buffer is sized to this record's
  // bound alone, so ASan catches a write past it.
  std::string worst(300, '\x01');  // every byte becomes \u0001 (6 bytes)
  CleanRecord r;
  r.unique_id = worst;
  r.title = r.description = r.poster_name = r.media_type = r.image_src = r.save_location = r.category = worst;
  r.tag_list.assign(20, worst);
  r.ind = r.follower_count = INT64_MAX;
  r.is_video = true;
  r.downloaded = false;
  r.ingested_at = INT64_MAX;  // the longest timestamp text
  std::string out, tags;
  std::thread([&] { AppendCleanJson(r, &out); }).join();
  std::thread([&] { AppendTagListJson(r.tag_list, &tags); }).join();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  for (const char* field : {"unique_id", "title", "description", "poster_name", "media_type", "image_src",
                            "save_location", "category"}) {
    EXPECT_EQ(std::string_view(doc[field]), worst) << field;
  }
  EXPECT_EQ(simdjson::dom::array(doc["tag_list"]).size(), 20u);
  EXPECT_EQ(std::string_view(doc["ingested_at"]), FormatRfc3339Micros(INT64_MAX));
  EXPECT_NE(out.find(tags), std::string::npos);

  // The same record as a view, written with its layout.
  std::vector<std::string_view> tag_views(r.tag_list.begin(), r.tag_list.end());
  CleanView v;
  v.unique_id = v.title = v.description = v.poster_name = v.media_type = v.image_src = v.save_location =
      v.category = worst;
  v.tag_list = tag_views;
  v.ind = v.follower_count = INT64_MAX;
  v.is_video = true;
  v.downloaded = false;
  std::string from_view;
  CleanJsonLayout layout;
  std::thread([&] { AppendCleanViewJson(v, FormatRfc3339Micros(INT64_MAX), &from_view, &layout); }).join();
  EXPECT_EQ(from_view, out);
  EXPECT_EQ(from_view.substr(layout.tokens[kTagListText].first,
                             layout.tokens[kTagListText].second - layout.tokens[kTagListText].first),
            tags);
}

TEST(RejectJsonTest, FieldsInOrderAndNullFieldWhenNone) {
  Rejection r{RejectReason::kNotObject, "", "top level is array, expected an object"};
  std::string out;
  AppendRejectJson(17, r, "[1]", &out);
  EXPECT_EQ(out, R"({"line":17,"reason":"not_object","field":null,)"
                 R"("detail":"top level is array, expected an object","raw":"[1]"})");
  out.clear();
  AppendRejectJson(1, {RejectReason::kBadType, "title", "expected string, got object"},
                   R"({"title":{}})", &out);
  EXPECT_EQ(out, R"({"line":1,"reason":"bad_type","field":"title",)"
                 R"("detail":"expected string, got object","raw":"{\"title\":{}}"})");
}

TEST(RejectJsonTest, RawIsCutAt4096BytesOnACodePointBoundary) {
  std::string raw(kRejectRawLimit - 1, 'a');
  raw += "\u20ac\u20ac";  // the first euro sign straddles the limit
  std::string out;
  AppendRejectJson(3, {RejectReason::kInvalidJson, "", "x"}, raw, &out);
  simdjson::dom::parser parser;
  std::string_view got;
  ASSERT_EQ(parser.parse(out)["raw"].get_string().get(got), simdjson::SUCCESS);
  EXPECT_EQ(got, std::string(kRejectRawLimit - 1, 'a'));
}

TEST(RejectReasonTest, NamesAreTheSpecNames) {
  EXPECT_EQ(RejectReasonName(RejectReason::kInvalidJson), "invalid_json");
  EXPECT_EQ(RejectReasonName(RejectReason::kNotObject), "not_object");
  EXPECT_EQ(RejectReasonName(RejectReason::kMissingUniqueId), "missing_unique_id");
  EXPECT_EQ(RejectReasonName(RejectReason::kInvalidUniqueId), "invalid_unique_id");
  EXPECT_EQ(RejectReasonName(RejectReason::kBadType), "bad_type");
}

}  // namespace
}  // namespace pinpipe::pin
