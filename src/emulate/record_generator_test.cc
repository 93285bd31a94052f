// RecordGenerator: determinism, and the shares of spec/data-profile.md on
// 100k records (each within ±20% relative), replays, and bad records.
#include "emulate/record_generator.h"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "pin/pin.h"

namespace pinpipe::emulate {
namespace {

std::vector<std::string> Generate(const GeneratorOptions& options, int count) {
  RecordGenerator generator(options);
  std::vector<std::string> out(count);
  for (std::string& record : out) generator.Next(&record);
  return out;
}

TEST(RecordGeneratorTest, SameSeedSameBytes) {
  GeneratorOptions options{.seed = 7, .bad_rate = 0.05};
  EXPECT_EQ(Generate(options, 5000), Generate(options, 5000));
  GeneratorOptions other = options;
  other.seed = 8;
  EXPECT_NE(Generate(options, 100), Generate(other, 100));
}

TEST(RecordGeneratorTest, StartingLaterEmitsTheTail) {
  std::vector<std::string> all = Generate({.seed = 3, .bad_rate = 0.05}, 3000);
  std::vector<std::string> tail = Generate({.seed = 3, .bad_rate = 0.05, .first_index = 1000}, 2000);
  EXPECT_EQ(std::vector<std::string>(all.begin() + 1000, all.end()), tail);
}

TEST(RecordGeneratorTest, RecordsAreSingleLineObjectsThatAllClean) {
  pin::Cleaner cleaner;
  pin::CleanRecord record;
  pin::Rejection rejection;
  for (const std::string& raw : Generate({.seed = 11}, 20000)) {
    ASSERT_EQ(raw.find('\n'), std::string::npos) << raw;
    ASSERT_TRUE(cleaner.Clean(raw, &record, &rejection)) << rejection.detail << "\n" << raw;
  }
}

TEST(RecordGeneratorTest, CleanToJsonAgreesWithCleanOnGeneratedRecords) {
  pin::Cleaner cleaner;
  pin::CleanRecord record;
  pin::Rejection rejection, direct_rejection;
  for (const std::string& raw : Generate({.seed = 21, .bad_rate = 0.05}, 20000)) {
    std::string via_record, direct;
    bool ok = cleaner.Clean(raw, &record, &rejection);
    if (ok) pin::AppendCleanJson(record, &via_record);
    ASSERT_EQ(cleaner.CleanToJson(raw, &direct, &direct_rejection), ok) << raw;
    EXPECT_EQ(direct, via_record) << raw;
    if (!ok) {
      EXPECT_EQ(direct_rejection.reason, rejection.reason);
      EXPECT_EQ(direct_rejection.field, rejection.field);
      EXPECT_EQ(direct_rejection.detail, rejection.detail);
    }
  }
}

// Counts of each profiled shape in a sample.
struct Shares {
  int rows = 0;
  std::map<std::string, int> count;
  std::set<std::string> ids;
  double Share(const std::string& key) const {
    auto it = count.find(key);
    return it == count.end() ? 0.0 : static_cast<double>(it->second) / rows;
  }
};

std::string_view Str(simdjson::dom::object obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v)) return "<null>";
  return v;
}

void Tally(const std::string& raw, Shares* s) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_EQ(parser.parse(raw).get_object().get(obj), simdjson::SUCCESS) << raw;
  ++s->rows;
  auto add = [&](const std::string& key) { ++s->count[key]; };
  s->ids.insert(std::string(Str(obj, "unique_id")));
  add("media=" + std::string(Str(obj, "is_image_or_video")));
  std::string_view fc = Str(obj, "follower_count");
  if (fc == "User Info Error") add("fc=error");
  else if (fc.ends_with("k")) add("fc=k");
  else if (fc.ends_with("M")) add("fc=M");
  else add("fc=digits");
  std::string_view desc = Str(obj, "description");
  if (desc == "No description available Story format") add("desc=story");
  else if (desc == "No description available") add("desc=plain");
  else {
    add("desc=real");
    if (desc.ends_with("\u2026\u00a0")) add("desc=nbsp");
  }
  if (Str(obj, "title") == "No Title Data Available") add("title=placeholder");
  simdjson::dom::element poster;
  if (obj["poster_name"].get(poster) == simdjson::NO_SUCH_FIELD) {
    add("poster=absent");
  } else {
    std::string_view p = Str(obj, "poster_name");
    if (p == "User Info Error") add("poster=error");
    if (p.ends_with(" ")) add("poster=trailing_space");
  }
  if (Str(obj, "tag_list") == "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e") add("tags=placeholder");
  std::string_view img = Str(obj, "image_src");
  if (img == "Image src error.") add("image=error");
  if (img == "<null>") add("image=null");
  int64_t downloaded = -1;
  ASSERT_EQ(obj["downloaded"].get_int64().get(downloaded), simdjson::SUCCESS);
  EXPECT_EQ(downloaded == 0, img == "Image src error.") << raw;
  add("category=" + std::string(Str(obj, "category")));
  EXPECT_EQ(Str(obj, "save_location"), "Local save in /data/" + std::string(Str(obj, "category")));
}

TEST(RecordGeneratorTest, SharesMatchTheDataProfile) {
  Shares s;
  for (const std::string& raw : Generate({.seed = 1}, 100000)) Tally(raw, &s);
  const std::map<std::string, double> want = {
      {"media=image", 0.89}, {"media=multi-video(story page format)", 0.08}, {"media=video", 0.03},
      {"media=<null>", 0.0006}, {"fc=k", 0.74}, {"fc=digits", 0.18}, {"fc=M", 0.075},
      {"fc=error", 0.008}, {"desc=story", 0.08}, {"desc=plain", 0.016}, {"title=placeholder", 0.008},
      {"poster=error", 0.008 * 0.9}, {"poster=absent", 0.10}, {"tags=placeholder", 0.015},
      {"image=error", 0.029}, {"image=null", 0.0006},
      {"category=christmas", 999 / 11154.0}, {"category=tattoos", 970 / 11154.0},
      {"category=quotes", 910 / 11154.0}, {"category=art", 892 / 11154.0},
      {"category=education", 863 / 11154.0}, {"category=home-decor", 861 / 11154.0},
      {"category=travel", 859 / 11154.0}, {"category=mens-fashion", 852 / 11154.0},
      {"category=vehicles", 838 / 11154.0}, {"category=diy-and-crafts", 830 / 11154.0},
      {"category=finance", 786 / 11154.0}, {"category=event-planning", 748 / 11154.0},
      {"category=beauty", 746 / 11154.0},
  };
  for (const auto& [key, share] : want) {
    EXPECT_NEAR(s.Share(key), share, share * 0.2) << key;
  }
  // Relative to the rows they apply to.
  double nbsp = static_cast<double>(s.count["desc=nbsp"]) / s.count["desc=real"];
  EXPECT_NEAR(nbsp, 0.36, 0.36 * 0.2);
  double trailing = static_cast<double>(s.count["poster=trailing_space"]) /
                    (s.rows - s.count["poster=absent"]);
  EXPECT_NEAR(trailing, 0.015, 0.015 * 0.2);
  double replays = 1.0 - static_cast<double>(s.ids.size()) / s.rows;
  EXPECT_NEAR(replays, 0.01, 0.01 * 0.2);
}

TEST(RecordGeneratorTest, RealDataShapesOccur) {
  bool newline = false, html = false, zwj = false, cyrillic = false, japanese = false,
       arabic = false, backslash = false, nbsp = false;
  for (const std::string& raw : Generate({.seed = 5}, 20000)) {
    newline |= raw.find("\\n") != std::string::npos;
    html |= raw.find("<p style=font-size:12px>") != std::string::npos;
    zwj |= raw.find("\u200d") != std::string::npos;
    cyrillic |= raw.find("\u0418") != std::string::npos || raw.find("\u0423") != std::string::npos;
    japanese |= raw.find("\u306e") != std::string::npos;
    arabic |= raw.find("\u0623") != std::string::npos;
    backslash |= raw.find("\\\\") != std::string::npos;
    nbsp |= raw.find("\u2026\u00a0\"") != std::string::npos;
  }
  EXPECT_TRUE(newline && html && zwj && cyrillic && japanese && arabic && backslash && nbsp);
}

TEST(RecordGeneratorTest, ReplaysRepeatAUniqueIdWithTheSameIndex) {
  std::map<std::string, std::string> index_by_id;
  simdjson::dom::parser parser;
  int replays = 0;
  for (const std::string& raw : Generate({.seed = 9}, 20000)) {
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(raw).get_object().get(obj), simdjson::SUCCESS);
    std::string id(Str(obj, "unique_id"));
    int64_t index = -1;
    ASSERT_EQ(obj["index"].get_int64().get(index), simdjson::SUCCESS);
    auto [it, inserted] = index_by_id.emplace(id, std::to_string(index));
    if (!inserted) {
      ++replays;
      EXPECT_EQ(it->second, std::to_string(index));
    }
  }
  EXPECT_NEAR(replays, 200, 40);
}

TEST(RecordGeneratorTest, NoReplaysWhenDuplicateRateIsZero) {
  std::set<std::string> ids;
  simdjson::dom::parser parser;
  for (const std::string& raw : Generate({.seed = 9, .duplicate_rate = 0}, 5000)) {
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(raw).get_object().get(obj), simdjson::SUCCESS);
    EXPECT_TRUE(ids.emplace(Str(obj, "unique_id")).second);
  }
}

TEST(RecordGeneratorTest, BadRateGivesThatShareOfRejectsOfEveryReason) {
  pin::Cleaner cleaner;
  pin::CleanRecord record;
  pin::Rejection rejection;
  std::map<pin::RejectReason, int> reasons;
  int rejected = 0;
  const int kRows = 20000;
  for (const std::string& raw : Generate({.seed = 4, .bad_rate = 0.1}, kRows)) {
    ASSERT_EQ(raw.find('\n'), std::string::npos);
    if (!cleaner.Clean(raw, &record, &rejection)) {
      ++rejected;
      ++reasons[rejection.reason];
    }
  }
  EXPECT_NEAR(rejected, kRows * 0.1, kRows * 0.1 * 0.2);
  EXPECT_EQ(reasons.size(), static_cast<size_t>(pin::kRejectReasonCount));
  for (const std::string& raw : Generate({.seed = 4, .bad_rate = 1.0}, 2000)) {
    EXPECT_FALSE(cleaner.Clean(raw, &record, &rejection)) << raw;
  }
}

}  // namespace
}  // namespace pinpipe::emulate
