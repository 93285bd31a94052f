// Cleaner: every rule and every reject reason of spec/cleaning.md, as tables.
// testdata/clean_cases.jsonl holds the whole-record cases (raw line ->
// expected clean NDJSON line, or expected reject).
#include <simdjson.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "pin/pin.h"
#include "subprocess.h"

namespace pinpipe::pin {
namespace {

// ctest sets PINPIPE_SOURCE_DIR; __FILE__ is only a fallback for running the
// binary by hand, since ccache's base_dir rewrites it to a build-relative path.
std::string TestDataPath() {
  if (const char* root = std::getenv("PINPIPE_SOURCE_DIR")) {
    return std::string(root) + "/src/pin/testdata/clean_cases.jsonl";
  }
  std::string here = __FILE__;
  return here.substr(0, here.rfind('/')) + "/testdata/clean_cases.jsonl";
}

struct FileCase {
  std::string name, input, clean, reject, field;
};

std::vector<FileCase> LoadFileCases() {
  std::vector<FileCase> cases;
  simdjson::padded_string data(testing::ReadFile(TestDataPath()));
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  EXPECT_EQ(parser.parse_many(data).get(stream), simdjson::SUCCESS);
  for (auto doc : stream) {
    simdjson::dom::object obj;
    EXPECT_EQ(doc.get_object().get(obj), simdjson::SUCCESS);
    FileCase c;
    for (auto [key, value] : obj) {
      std::string_view v;
      EXPECT_EQ(value.get_string().get(v), simdjson::SUCCESS) << key;
      std::string* dest = key == "case" ? &c.name : key == "input" ? &c.input
                          : key == "clean" ? &c.clean : key == "reject" ? &c.reject : &c.field;
      dest->assign(v);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(CleanerTest, WholeRecordCasesFromTestData) {
  std::vector<FileCase> cases = LoadFileCases();
  ASSERT_GE(cases.size(), 45u) << TestDataPath();
  Cleaner cleaner;
  for (const FileCase& c : cases) {
    CleanRecord record;
    Rejection rejection;
    bool ok = cleaner.Clean(c.input, &record, &rejection);
    if (c.reject.empty()) {
      ASSERT_TRUE(ok) << c.name << ": " << rejection.detail;
      std::string json;
      AppendCleanJson(record, &json);
      EXPECT_EQ(json, c.clean) << c.name;
      std::string direct = "prefix";
      ASSERT_TRUE(cleaner.CleanToJson(c.input, &direct, &rejection)) << c.name;
      EXPECT_EQ(direct, "prefix" + c.clean) << c.name;
    } else {
      std::string direct = "prefix";
      Rejection direct_rejection;
      EXPECT_FALSE(cleaner.CleanToJson(c.input, &direct, &direct_rejection)) << c.name;
      EXPECT_EQ(direct, "prefix") << c.name;
      EXPECT_EQ(direct_rejection.reason, rejection.reason) << c.name;
      ASSERT_FALSE(ok) << c.name;
      EXPECT_EQ(RejectReasonName(rejection.reason), c.reject) << c.name;
      if (!c.field.empty()) {
        EXPECT_EQ(rejection.field, c.field) << c.name;
      }
      EXPECT_FALSE(rejection.detail.empty()) << c.name;
    }
  }
}

// A valid raw record with one field replaced (value is raw JSON text) or
// removed (value "<absent>").
std::string RawWith(const std::string& field, const std::string& value) {
  static const std::vector<std::pair<std::string, std::string>> kBase = {
      {"index", "42"},
      {"unique_id", R"("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")"},
      {"title", R"("Cozy reading nook")"},
      {"description", R"("A corner with a lamp and a chair.")"},
      {"poster_name", R"("Home Ideas")"},
      {"follower_count", R"("5k")"},
      {"tag_list", R"("Reading,Interior")"},
      {"is_image_or_video", R"("image")"},
      {"image_src", R"("https://i.pinimg.com/originals/aa/bb/cc/0123.jpg")"},
      {"downloaded", "1"},
      {"save_location", R"("Local save in /data/home-decor")"},
      {"category", R"("home-decor")"},
  };
  std::string raw = "{";
  bool replaced = false;
  for (const auto& [k, v] : kBase) {
    std::string val = v;
    if (k == field) {
      replaced = true;
      if (value == "<absent>") continue;
      val = value;
    }
    if (raw.size() > 1) raw += ", ";
    raw += "\"" + k + "\": " + val;
  }
  if (!replaced && value != "<absent>") raw += ", \"" + field + "\": " + value;
  return raw + "}";
}

struct RuleCase {
  const char* field;     // raw field replaced
  std::string raw;       // its JSON value, or "<absent>"
  const char* clean_key; // clean field checked
  std::string want;      // its expected JSON text in the clean line
};

std::string CleanLine(Cleaner& cleaner, const std::string& raw) {
  CleanRecord record;
  Rejection rejection;
  if (!cleaner.Clean(raw, &record, &rejection)) {
    return "REJECTED " + std::string(RejectReasonName(rejection.reason)) + " " + rejection.detail;
  }
  std::string json;
  AppendCleanJson(record, &json);
  return json;
}

TEST(CleanerTest, FieldRules) {
  const std::string nbsp = "\u00a0";
  const std::vector<RuleCase> cases = {
      // unique_id: trimmed, lower-cased
      {"unique_id", R"j("  0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D ")j", "unique_id",
       R"("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")"},
      {"unique_id", "\"\u3000" "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\ufeff\"", "unique_id",
       R"("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")"},
      // index
      {"index", "0", "ind", "0"},
      {"index", R"("7528")", "ind", "7528"},
      {"index", R"(" 12 ")", "ind", "12"},
      {"index", "-1", "ind", "null"},
      {"index", "3.5", "ind", "null"},
      {"index", "18446744073709551615", "ind", "null"},
      {"index", R"("12a")", "ind", "null"},
      {"index", R"("")", "ind", "null"},
      {"index", "null", "ind", "null"},
      {"index", "<absent>", "ind", "null"},
      // title
      {"title", R"("  Two  spaces\tinside ")", "title", R"("Two  spaces\tinside")"},
      {"title", R"("No Title Data Available")", "title", "null"},
      {"title", R"(" No Title Data Available ")", "title", "null"},
      {"title", R"("no title data available")", "title", R"("no title data available")"},
      {"title", R"("   ")", "title", "null"},
      {"title", R"("")", "title", "null"},
      {"title", R"("<p style=font-size:12px>Hi</p>")", "title", R"("<p style=font-size:12px>Hi</p>")"},
      {"title", R"("back\\slash \"quoted\"")", "title", R"("back\\slash \"quoted\"")"},
      {"title", "\"\u041f\u0440\u0438\u0432\u0435\u0442 \u3053\u3093\u306b\u3061\u306f \u0645\u0631\u062d\u0628\u0627\"",
       "title", "\"\u041f\u0440\u0438\u0432\u0435\u0442 \u3053\u3093\u306b\u3061\u306f \u0645\u0631\u062d\u0628\u0627\""},
      {"title", "\"\U0001F468\u200D\U0001F469\u200D\U0001F467 family\"", "title",
       "\"\U0001F468\u200D\U0001F469\u200D\U0001F467 family\""},
      {"title", R"("\u2028Line\u2029")", "title", R"("Line")"},
      {"title", R"("a\u0000b")", "title", R"("a\u0000b")"},
      // description
      {"description", "\"Glowing art in this\u2026" + nbsp + "\"", "description",
       "\"Glowing art in this\u2026\""},
      {"description", R"("No description available")", "description", "null"},
      {"description", R"("No description available Story format")", "description", "null"},
      {"description", R"("No description available at all, sorry")", "description", "null"},
      {"description", R"("Sadly: No description available")", "description",
       R"("Sadly: No description available")"},
      // poster_name
      {"poster_name", R"("User Info Error")", "poster_name", "null"},
      {"poster_name", R"("Jane Doe   ")", "poster_name", R"("Jane Doe")"},
      {"poster_name", "<absent>", "poster_name", "null"},
      // follower_count
      {"follower_count", R"("874")", "follower_count", "874"},
      {"follower_count", R"("1,234")", "follower_count", "1234"},
      {"follower_count", R"("1,234,567")", "follower_count", "1234567"},
      {"follower_count", R"("12k")", "follower_count", "12000"},
      {"follower_count", R"("12K")", "follower_count", "12000"},
      {"follower_count", R"("1.2k")", "follower_count", "1200"},
      {"follower_count", R"("1.2345k")", "follower_count", "1235"},
      {"follower_count", R"("1.2344k")", "follower_count", "1234"},
      {"follower_count", R"("3M")", "follower_count", "3000000"},
      {"follower_count", R"("2.5m")", "follower_count", "2500000"},
      {"follower_count", R"("1.5B")", "follower_count", "1500000000"},
      {"follower_count", R"(" 942k ")", "follower_count", "942000"},
      {"follower_count", R"("0")", "follower_count", "0"},
      {"follower_count", "4521", "follower_count", "4521"},
      {"follower_count", "0", "follower_count", "0"},
      {"follower_count", R"("User Info Error")", "follower_count", "null"},
      {"follower_count", R"("")", "follower_count", "null"},
      {"follower_count", R"("-5")", "follower_count", "null"},
      {"follower_count", "-5", "follower_count", "null"},
      {"follower_count", "12.5", "follower_count", "null"},
      {"follower_count", R"("12kk")", "follower_count", "null"},
      {"follower_count", R"("k")", "follower_count", "null"},
      {"follower_count", R"("12x")", "follower_count", "null"},
      {"follower_count", R"("1.k")", "follower_count", "null"},
      {"follower_count", R"(".5k")", "follower_count", "null"},
      {"follower_count", R"("12 k")", "follower_count", "null"},
      {"follower_count", R"("12,34")", "follower_count", "null"},
      {"follower_count", R"("1234,567")", "follower_count", "null"},
      {"follower_count", R"(",123")", "follower_count", "null"},
      {"follower_count", R"("99999999999999999999999")", "follower_count", "null"},
      {"follower_count", R"("9223372036854775807")", "follower_count", "9223372036854775807"},
      {"follower_count", R"("9223372036854775808")", "follower_count", "null"},
      {"follower_count", R"("9999999999B")", "follower_count", "null"},
      {"follower_count", "18446744073709551615", "follower_count", "null"},
      // tag_list
      {"tag_list", R"("N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e")", "tag_list", "[]"},
      {"tag_list", R"(" a , b,,c ")", "tag_list", R"(["a","b","c"])"},
      {"tag_list", R"(",,")", "tag_list", "[]"},
      {"tag_list", R"(["DIY", " Home Decor ", "", null])", "tag_list", R"(["DIY","Home Decor"])"},
      {"tag_list", "[]", "tag_list", "[]"},
      {"tag_list", "<absent>", "tag_list", "[]"},
      {"tag_list", "null", "tag_list", "[]"},
      // is_image_or_video -> is_video, media_type
      {"is_image_or_video", R"("image")", "is_video", "false"},
      {"is_image_or_video", R"("image")", "media_type", R"("image")"},
      {"is_image_or_video", R"("video")", "is_video", "true"},
      {"is_image_or_video", R"("video")", "media_type", R"("video")"},
      {"is_image_or_video", R"j("multi-video(story page format)")j", "is_video", "true"},
      {"is_image_or_video", R"j("multi-video(story page format)")j", "media_type", R"("story")"},
      {"is_image_or_video", R"("Image")", "is_video", "null"},
      {"is_image_or_video", R"("gif")", "media_type", "null"},
      {"is_image_or_video", "null", "is_video", "null"},
      {"is_image_or_video", "null", "media_type", "null"},
      // image_src
      {"image_src", R"("Image src error.")", "image_src", "null"},
      {"image_src", R"(" http://x.example/a.jpg ")", "image_src", R"("http://x.example/a.jpg")"},
      {"image_src", R"("ftp://x.example/a.jpg")", "image_src", "null"},
      {"image_src", R"("/relative.jpg")", "image_src", "null"},
      {"image_src", "null", "image_src", "null"},
      // downloaded
      {"downloaded", "1", "downloaded", "true"},
      {"downloaded", "0", "downloaded", "false"},
      {"downloaded", R"("1")", "downloaded", "true"},
      {"downloaded", R"("0")", "downloaded", "false"},
      {"downloaded", "true", "downloaded", "true"},
      {"downloaded", "false", "downloaded", "false"},
      {"downloaded", "2", "downloaded", "null"},
      {"downloaded", "1.0", "downloaded", "null"},
      {"downloaded", R"("yes")", "downloaded", "null"},
      {"downloaded", "<absent>", "downloaded", "null"},
      // save_location
      {"save_location", R"("Local save in /data/travel")", "save_location", R"("/data/travel")"},
      {"save_location", R"("Local save in   /data/travel  ")", "save_location", R"("/data/travel")"},
      {"save_location", R"("/data/travel")", "save_location", R"("/data/travel")"},
      {"save_location", R"("Local save in")", "save_location", "null"},
      {"save_location", R"("Local save in   ")", "save_location", "null"},
      {"save_location", R"("Local save inside /x")", "save_location", R"("Local save inside /x")"},
      {"save_location", R"("local save in /x")", "save_location", R"("local save in /x")"},
      // category
      {"category", R"(" Travel ")", "category", R"("travel")"},
      {"category", R"("DIY-and-Crafts")", "category", R"("diy-and-crafts")"},
      {"category", R"("")", "category", "null"},
      // unknown fields are ignored; ingested_at stays null
      {"board", R"({"nested": [1, 2]})", "ingested_at", "null"},
  };
  Cleaner cleaner;
  for (const RuleCase& c : cases) {
    std::string raw = RawWith(c.field, c.raw);
    std::string line = CleanLine(cleaner, raw);
    std::string direct;
    Rejection rejection;
    if (cleaner.CleanToJson(raw, &direct, &rejection)) {
      EXPECT_EQ(direct, line) << raw;
    }
    std::string want = "\"";
    want.append(c.clean_key).append("\":").append(c.want);
    EXPECT_NE(line.find(want), std::string::npos)
        << c.field << "=" << c.raw << "\n  want " << want << "\n  got  " << line;
  }
}

struct RejectCase {
  std::string name;
  std::string raw;
  RejectReason reason;
  std::string field;
};

TEST(CleanerTest, EveryRejectReason) {
  const std::vector<RejectCase> cases = {
      {"truncated", R"({"unique_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "title": )",
       RejectReason::kInvalidJson, ""},
      {"empty", "", RejectReason::kInvalidJson, ""},
      {"garbage", "hello", RejectReason::kInvalidJson, ""},
      {"trailing", R"({"a":1} {"b":2})", RejectReason::kInvalidJson, ""},
      {"invalid utf8", RawWith("title", "\"bad \xff byte\""), RejectReason::kInvalidJson, ""},
      {"overlong utf8", RawWith("title", "\"\xc0\xaf\""), RejectReason::kInvalidJson, ""},
      {"raw control char", RawWith("title", "\"a\x01z\""), RejectReason::kInvalidJson, ""},
      {"deep nesting", std::string(5000, '[') + std::string(5000, ']'), RejectReason::kInvalidJson, ""},
      {"array", R"(["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"])", RejectReason::kNotObject, ""},
      {"number", "42", RejectReason::kNotObject, ""},
      {"string", R"("x")", RejectReason::kNotObject, ""},
      {"null", "null", RejectReason::kNotObject, ""},
      {"uid absent", RawWith("unique_id", "<absent>"), RejectReason::kMissingUniqueId, "unique_id"},
      {"uid null", RawWith("unique_id", "null"), RejectReason::kMissingUniqueId, "unique_id"},
      {"uid empty", RawWith("unique_id", R"("")"), RejectReason::kMissingUniqueId, "unique_id"},
      {"uid blank", RawWith("unique_id", "\" \u00a0\\t\""), RejectReason::kMissingUniqueId, "unique_id"},
      {"uid not uuid", RawWith("unique_id", R"("not-a-uuid")"), RejectReason::kInvalidUniqueId, "unique_id"},
      {"uid braces", RawWith("unique_id", R"("{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}")"),
       RejectReason::kInvalidUniqueId, "unique_id"},
      {"uid non-hex", RawWith("unique_id", R"("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4g")"),
       RejectReason::kInvalidUniqueId, "unique_id"},
      {"uid no dashes", RawWith("unique_id", R"("0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d")"),
       RejectReason::kInvalidUniqueId, "unique_id"},
      {"uid inner space", RawWith("unique_id", R"("0a1b2c3d-4e5f-4a6b-8c7d 9e0f1a2b3c4d")"),
       RejectReason::kInvalidUniqueId, "unique_id"},
      {"uid number", RawWith("unique_id", "12345"), RejectReason::kBadType, "unique_id"},
      {"index bool", RawWith("index", "true"), RejectReason::kBadType, "index"},
      {"index object", RawWith("index", "{}"), RejectReason::kBadType, "index"},
      {"title object", RawWith("title", R"({"en": "x"})"), RejectReason::kBadType, "title"},
      {"title number", RawWith("title", "5"), RejectReason::kBadType, "title"},
      {"description array", RawWith("description", R"(["a"])"), RejectReason::kBadType, "description"},
      {"poster bool", RawWith("poster_name", "false"), RejectReason::kBadType, "poster_name"},
      {"followers bool", RawWith("follower_count", "true"), RejectReason::kBadType, "follower_count"},
      {"followers array", RawWith("follower_count", "[1]"), RejectReason::kBadType, "follower_count"},
      {"tags number", RawWith("tag_list", "3"), RejectReason::kBadType, "tag_list"},
      {"tags object", RawWith("tag_list", "{}"), RejectReason::kBadType, "tag_list"},
      {"tags array of numbers", RawWith("tag_list", R"(["a", 1])"), RejectReason::kBadType, "tag_list"},
      {"media number", RawWith("is_image_or_video", "1"), RejectReason::kBadType, "is_image_or_video"},
      {"image object", RawWith("image_src", "{}"), RejectReason::kBadType, "image_src"},
      {"downloaded object", RawWith("downloaded", "{}"), RejectReason::kBadType, "downloaded"},
      {"downloaded array", RawWith("downloaded", "[1]"), RejectReason::kBadType, "downloaded"},
      {"save number", RawWith("save_location", "1"), RejectReason::kBadType, "save_location"},
      {"category bool", RawWith("category", "true"), RejectReason::kBadType, "category"},
  };
  Cleaner cleaner;
  for (const RejectCase& c : cases) {
    CleanRecord record;
    Rejection rejection;
    ASSERT_FALSE(cleaner.Clean(c.raw, &record, &rejection)) << c.name;
    EXPECT_EQ(rejection.reason, c.reason)
        << c.name << ": got " << RejectReasonName(rejection.reason) << " " << rejection.detail;
    EXPECT_EQ(rejection.field, c.field) << c.name;
    EXPECT_FALSE(rejection.detail.empty()) << c.name;
  }
}

TEST(CleanerTest, BadTypeDetailNamesExpectedAndActualTypes) {
  Cleaner cleaner;
  CleanRecord record;
  Rejection rejection;
  ASSERT_FALSE(cleaner.Clean(RawWith("title", "{}"), &record, &rejection));
  EXPECT_EQ(rejection.detail, "expected string, got object");
  ASSERT_FALSE(cleaner.Clean(RawWith("follower_count", "false"), &record, &rejection));
  EXPECT_EQ(rejection.detail, "expected number or string, got boolean");
}

TEST(CleanerTest, UniqueIdIsCheckedBeforeOtherFields) {
  Cleaner cleaner;
  CleanRecord record;
  Rejection rejection;
  std::string raw = R"({"unique_id": null, "title": {}})";
  ASSERT_FALSE(cleaner.Clean(raw, &record, &rejection));
  EXPECT_EQ(rejection.reason, RejectReason::kMissingUniqueId);
}

TEST(CleanerTest, RepeatedKeyLastOneWins) {
  Cleaner cleaner;
  std::string raw = RawWith("title", R"("first", "title": "second")");
  EXPECT_NE(CleanLine(cleaner, raw).find(R"("title":"second")"), std::string::npos);
}

TEST(CleanerTest, ReusedRecordCarriesNothingOver) {
  Cleaner cleaner;
  CleanRecord reused;
  Rejection rejection;
  std::vector<std::string> raws = {
      RawWith("tag_list", R"("a,b,c,d,e,f,g,h,i")"),
      RawWith("tag_list", R"("x")"),
      RawWith("title", R"("No Title Data Available")"),
      RawWith("index", R"("1")"),
      RawWith("category", R"("")"),
      // Heap-sized texts becoming null and back (their strings are reused).
      RawWith("tag_list", R"("a tag longer than fifteen bytes,another rather long tag,x")"),
      RawWith("title", "null"),
      RawWith("description", R"("a description well over fifteen bytes long")"),
      RawWith("description", "null"),
  };
  for (int round = 0; round < 3; ++round) {
    for (const std::string& raw : raws) {
      CleanRecord fresh;
      Cleaner fresh_cleaner;
      ASSERT_TRUE(cleaner.Clean(raw, &reused, &rejection));
      ASSERT_TRUE(fresh_cleaner.Clean(raw, &fresh, &rejection));
      EXPECT_EQ(reused, fresh) << raw;
    }
  }
}

TEST(CleanerTest, EscapedKeysAndCrLfAreHandled) {
  Cleaner cleaner;
  std::string raw = RawWith("title", R"("x")");
  raw.replace(raw.find("\"title\""), 7, R"("ti\u0074le")");
  EXPECT_NE(CleanLine(cleaner, raw + "\r").find(R"("title":"x")"), std::string::npos);
}

}  // namespace
}  // namespace pinpipe::pin
