// End to end through the real binary: records with chosen timestamps go into
// the embedded log, `pinpipe land --once` lands them, `pinpipe batch` cleans
// the day, and `pinpipe query` must return exactly the distinct unique_ids,
// each row equal to what the cleaner makes of the newest version.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fmt/format.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "bus/open_bus.h"
#include "pin/pin.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using testing::PinpipeBin;

using testing::RunResult;

UnixMicros At(const std::string& rfc3339) { return ParseRfc3339Micros(rfc3339).value(); }

struct Expected {
  pin::CleanRecord record;
  int32_t partition;
  int64_t offset;
};

std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class BatchEndToEndTest : public ::testing::Test {
 protected:
  RunResult Pinpipe(std::vector<std::string> args) {
    args.insert(args.begin(), {PinpipeBin(), "--data-dir", dir_.path(), "--log-level", "warn"});
    return testing::Run(args);
  }

  // Appends `raws` with their timestamps; returns each record's position.
  std::vector<bus::Position> Produce(const std::vector<std::pair<std::string, UnixMicros>>& raws) {
    bus::BusOptions options;
    options.url = "log:" + dir_.File("log");
    options.sync = "never";
    auto bus = bus::OpenBus(options);
    EXPECT_TRUE(bus.ok()) << bus.status().ToString();
    Status created = (*bus)->CreateTopic("pins", 4);
    EXPECT_TRUE(created.ok() || created.code() == StatusCode::kAlreadyExists);
    auto producer = (*bus)->NewProducer("pins");
    EXPECT_TRUE(producer.ok());
    std::vector<std::string> keys;
    pin::Cleaner cleaner;
    for (const auto& [raw, ts] : raws) {
      pin::CleanRecord rec;
      pin::Rejection rej;
      keys.push_back(cleaner.Clean(raw, &rec, &rej) ? rec.unique_id : "");
    }
    std::vector<bus::Message> messages;
    for (size_t i = 0; i < raws.size(); ++i) messages.push_back({keys[i], raws[i].first, raws[i].second});
    std::vector<bus::Position> positions;
    bool done = false;
    (*producer)->Append(messages, [&](Result<std::vector<bus::Position>> result) {
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (result.ok()) positions = *result;
      done = true;
    });
    EXPECT_TRUE((*producer)->Flush(std::chrono::seconds(60)).ok());
    EXPECT_TRUE(done);
    return positions;
  }

  testing::TempDir dir_;
};

// Reads `pinpipe query --format json` rows back into clean records.
std::map<std::string, Expected> ParseRows(const std::string& json) {
  std::map<std::string, Expected> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  auto text = [](simdjson::dom::element e) -> std::optional<std::string> {
    if (e.is_null()) return std::nullopt;
    return std::string(std::string_view(e));
  };
  auto integer = [](simdjson::dom::element e) -> std::optional<int64_t> {
    if (e.is_null()) return std::nullopt;
    return int64_t(e);
  };
  auto boolean = [](simdjson::dom::element e) -> std::optional<bool> {
    if (e.is_null()) return std::nullopt;
    return int64_t(e) != 0;
  };
  for (simdjson::dom::element row : doc.get_array()) {
    Expected got;
    pin::CleanRecord& r = got.record;
    r.unique_id = std::string(std::string_view(row["unique_id"]));
    r.ind = integer(row["ind"]);
    r.title = text(row["title"]);
    r.description = text(row["description"]);
    r.poster_name = text(row["poster_name"]);
    r.follower_count = integer(row["follower_count"]);
    simdjson::dom::parser tags_parser;
    for (simdjson::dom::element tag : tags_parser.parse(std::string(std::string_view(row["tag_list"]))).get_array()) {
      r.tag_list.emplace_back(std::string_view(tag));
    }
    r.is_video = boolean(row["is_video"]);
    r.media_type = text(row["media_type"]);
    r.image_src = text(row["image_src"]);
    r.downloaded = boolean(row["downloaded"]);
    r.save_location = text(row["save_location"]);
    r.category = text(row["category"]);
    r.ingested_at = At(std::string(std::string_view(row["ingested_at"])));
    got.partition = static_cast<int32_t>(int64_t(row["bus_partition"]));
    got.offset = int64_t(row["bus_offset"]);
    EXPECT_EQ(std::string_view(row["dt"]), "2026-11-20");
    out.emplace(r.unique_id, std::move(got));
  }
  return out;
}

TEST_F(BatchEndToEndTest, QueryReturnsExactlyTheNewestCleanVersionOfEachRecord) {
  RunResult gen = testing::Run({PinpipeBin(), "gen", "--count", "3000", "--seed", "7"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<std::pair<std::string, UnixMicros>> raws;
  UnixMicros start = At("2026-11-20T09:00:00Z");
  std::vector<std::string> lines = Lines(gen.out);
  for (size_t i = 0; i < lines.size(); ++i) raws.emplace_back(lines[i], start + static_cast<int64_t>(i) * 3'000'000);
  // Replays two hours later with another title: these versions must win.
  for (size_t i = 0; i < 50; ++i) {
    std::string replay = lines[i * 7];
    size_t title = replay.find("\"title\"");
    if (title != std::string::npos) replay.insert(title, "\"note\": \"replay\", ");
    raws.emplace_back(replay, start + 2 * kMicrosPerHour + static_cast<int64_t>(i));
  }
  // Dirt the cleaner must reject (and the lake must keep byte-exact).
  raws.emplace_back("{not json", start + 100);
  raws.emplace_back("{\"title\":\"\xff\xfe\"}", start + 200);
  raws.emplace_back(R"({"unique_id":"3d98dcd2-5e6e-4e1d-b5b7-a676bd910de6","title":{"x":1}})", start + 300);
  std::vector<bus::Position> positions = Produce(raws);
  ASSERT_EQ(positions.size(), raws.size());

  // What the warehouse must hold: per unique_id the cleaned newest version.
  std::map<std::string, Expected> expected;
  int rejects = 0;
  pin::Cleaner cleaner;
  for (size_t i = 0; i < raws.size(); ++i) {
    Expected e{{}, positions[i].partition, positions[i].offset};
    pin::Rejection rej;
    if (!cleaner.Clean(raws[i].first, &e.record, &rej)) {
      ++rejects;
      continue;
    }
    e.record.ingested_at = raws[i].second;
    auto [it, inserted] = expected.emplace(e.record.unique_id, e);
    auto key = [](const Expected& x) { return std::tie(*x.record.ingested_at, x.partition, x.offset); };
    if (!inserted && key(e) > key(it->second)) it->second = e;
  }
  ASSERT_GT(expected.size(), 2500u);

  RunResult land = Pinpipe({"land", "--once"});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  RunResult batch = Pinpipe({"batch", "--date", "2026-11-20"});
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  int64_t duplicates = static_cast<int64_t>(raws.size()) - static_cast<int64_t>(expected.size()) - rejects;
  EXPECT_GE(duplicates, 50);
  EXPECT_NE(batch.out.find(fmt::format("check: raw {} = loaded {} + duplicates {} + rejected {}  OK",
                                       Grouped(raws.size()), Grouped(expected.size()), Grouped(duplicates),
                                       Grouped(rejects))),
            std::string::npos)
      << batch.out;
  EXPECT_NE(batch.err.find("no _SUCCESS for hour(s) 00-08"), std::string::npos) << batch.err;

  RunResult query = Pinpipe({"query", "--format", "json", "SELECT * FROM pins WHERE dt = '2026-11-20'"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  std::map<std::string, Expected> got = ParseRows(query.out);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [id, want] : expected) {
    auto it = got.find(id);
    ASSERT_NE(it, got.end()) << id;
    EXPECT_EQ(it->second.record, want.record) << id;
    EXPECT_EQ(it->second.partition, want.partition) << id;
    EXPECT_EQ(it->second.offset, want.offset) << id;
  }
  RunResult counts = Pinpipe({"query", "--format", "csv", "SELECT count(*) FROM pins_rejected WHERE dt = '2026-11-20'"});
  EXPECT_EQ(counts.out, fmt::format("count(*)\r\n{}\r\n", rejects));

  // Re-running the date gives the same table; verify agrees.
  RunResult again = Pinpipe({"batch", "--date", "2026-11-20"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  RunResult query2 = Pinpipe({"query", "--format", "json", "SELECT * FROM pins WHERE dt = '2026-11-20'"});
  EXPECT_EQ(query2.out, query.out);
  RunResult verify = Pinpipe({"batch", "--date", "2026-11-20", "--verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(BatchEndToEndTest, ABatchKilledWhileReplacingADateLeavesTheOldDateToQueriesAndToTheNextRun) {
  // Big enough that the re-run is still loading when it is killed.
  RunResult gen = testing::Run({PinpipeBin(), "gen", "--count", "200000", "--seed", "11"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<std::pair<std::string, UnixMicros>> raws;
  std::vector<std::string> lines = Lines(gen.out);
  for (size_t i = 0; i < lines.size(); ++i) {
    raws.emplace_back(lines[i], At("2026-11-20T09:00:00Z") + static_cast<int64_t>(i) * 100'000);
  }
  ASSERT_EQ(Produce(raws).size(), raws.size());
  ASSERT_EQ(Pinpipe({"land", "--once"}).exit_code, 0);
  ASSERT_EQ(Pinpipe({"batch", "--date", "2026-11-20"}).exit_code, 0);
  const std::vector<std::string> fingerprint = {
      "query", "--format", "csv",
      "SELECT count(*), sum(bus_partition * 1000000 + bus_offset), "
      "sum(length(title) + length(description) + length(tag_list)), min(unique_id), max(unique_id) "
      "FROM pins WHERE dt = '2026-11-20'"};
  RunResult before = Pinpipe(fingerprint);
  ASSERT_EQ(before.exit_code, 0) << before.err;

  const std::string journal = dir_.File("warehouse.db-journal");
  testing::SpawnOptions quiet;
  quiet.stdout_path = dir_.File("rerun.out");
  quiet.stderr_path = dir_.File("rerun.err");
  auto rerun = testing::Subprocess::Start(
      {PinpipeBin(), "--data-dir", dir_.path(), "--log-level", "warn", "batch", "--date", "2026-11-20", "--no-progress"},
      quiet);
  ASSERT_TRUE(rerun.has_value());
  // Killed once the journal is hot: SQLite writes its header's magic when it
  // syncs the journal, before the first page of the database is changed.
  auto journal_is_hot = [&] {
    std::ifstream in(journal, std::ios::binary);
    char first = 0;
    return in.get(first) && first != 0;
  };
  testing::WaitFor([&] { return journal_is_hot() || !rerun->Running(); }, std::chrono::seconds(60));
  ASSERT_TRUE(rerun->Running()) << "the re-run finished before it could be killed; make the day bigger";
  rerun->Signal(SIGKILL);
  ASSERT_TRUE(rerun->Wait(std::chrono::seconds(30)).has_value());
  ASSERT_TRUE(journal_is_hot()) << testing::ReadFile(dir_.File("rerun.err"));

  // A read-only query sees the old date whole (the journal is rolled back first).
  RunResult after = Pinpipe(fingerprint);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  EXPECT_FALSE(std::filesystem::exists(journal));
  // The next run replaces the date as if nothing had happened.
  RunResult again = Pinpipe({"batch", "--date", "2026-11-20"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Pinpipe(fingerprint).out, before.out);
  RunResult verify = Pinpipe({"batch", "--date", "2026-11-20", "--verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(BatchEndToEndTest, QueryIsReadOnlyAndShowsDatabaseErrorsAsTheyAre) {
  Produce({{R"({"unique_id":"3d98dcd2-5e6e-4e1d-b5b7-a676bd910de6","title":"t"})", At("2026-11-20T10:00:00Z")}});
  ASSERT_EQ(Pinpipe({"land", "--once"}).exit_code, 0);
  ASSERT_EQ(Pinpipe({"batch", "--date", "2026-11-20"}).exit_code, 0);
  RunResult table = Pinpipe({"query", "SELECT unique_id, title, ind FROM pins"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.out,
            "unique_id                            | title | ind\n"
            "-------------------------------------+-------+-----\n"
            "3d98dcd2-5e6e-4e1d-b5b7-a676bd910de6 | t     | NULL\n"
            "(1 row)\n");
  RunResult write = Pinpipe({"query", "DELETE FROM pins"});
  EXPECT_EQ(write.exit_code, 1);
  EXPECT_NE(write.err.find("attempt to write a readonly database"), std::string::npos) << write.err;
  RunResult bad = Pinpipe({"query", "SELECT nope FROM pins"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "pinpipe query: no such column: nope\n");
  RunResult allowed = Pinpipe({"query", "--allow-write", "DELETE FROM pins"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  RunResult usage = Pinpipe({"query"});
  EXPECT_EQ(usage.exit_code, 2);
  RunResult no_date = Pinpipe({"batch"});
  EXPECT_EQ(no_date.exit_code, 2);
}

}  // namespace
}  // namespace pinpipe
