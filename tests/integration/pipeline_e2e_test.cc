// End to end, as a user runs it: records go into the log directly (bad ones
// included, bypassing the API's door check) and through `pinpipe up` +
// `pinpipe emulate`; up is interrupted during load and restarted; then the
// daily batch runs. Everything must balance: every acknowledged record is
// live, the live table and the warehouse agree on every unique_id, and each
// bad record is a dead letter exactly once on each path.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "sinks/sqlite/sqlite_db.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using sinks::sqlite::SqliteDb;
using testing::PinpipeBin;
using testing::ReadFile;
using testing::SpawnOptions;
using testing::Subprocess;
using testing::TempDir;
using testing::WaitFor;

int64_t QueryInt(SqliteDb& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString() << " in " << sql;
  if (!st.ok()) return -1;
  auto row = st->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return st->IsNull(0) ? 0 : st->ColumnInt(0);
}

std::set<std::string> AckedIds(const std::string& path) {
  std::set<std::string> ids;
  std::istringstream in(ReadFile(path));
  std::regex id_re("\"unique_id\"\\s*:\\s*\"([^\"]+)\"");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, id_re)) ids.insert(m[1]);
  }
  return ids;
}

class PipelineE2eTest : public ::testing::Test {
 protected:
  std::vector<std::string> Cmd(std::initializer_list<std::string> args) {
    std::vector<std::string> argv{PinpipeBin(), "--data-dir", data_};
    argv.insert(argv.end(), args);
    return argv;
  }
  // Starts `pinpipe up` on a free port; returns the port from its banner.
  int StartUp(std::optional<Subprocess>* up, const std::string& log) {
    SpawnOptions options;
    options.stderr_path = log;
    auto started = Subprocess::Start(Cmd({"up", "--listen", "127.0.0.1:0", "--no-scheduler"}), options);
    EXPECT_TRUE(started.has_value());
    up->reset();
    if (started) up->emplace(std::move(*started));
    std::regex port_re("serving .* on port ([0-9]+);");
    int port = 0;
    EXPECT_TRUE(WaitFor([&] {
      std::smatch m;
      std::string text = ReadFile(log);
      if (std::regex_search(text, m, port_re)) port = std::stoi(m[1]);
      return port > 0;
    })) << ReadFile(log);
    return port;
  }
  void StopUp(std::optional<Subprocess>* up, const std::string& log) {
    (*up)->Signal(SIGINT);
    auto code = (*up)->Wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "up did not drain in time";
    EXPECT_EQ(*code, 0) << ReadFile(log);
  }

  TempDir dir_;
  std::string data_ = dir_.File("data");
};

TEST_F(PipelineE2eTest, EverythingBalancesAcrossInterruptsAndBothPaths) {
  // 1. Bad and good records straight into the log (no door check).
  auto gen = pinpipe::testing::Run({PinpipeBin(), "gen", "--count", "400", "--seed", "7", "--bad-rate", "0.25"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  testing::WriteFile(dir_.File("direct.ndjson"), gen.out);
  auto clean = pinpipe::testing::Run({PinpipeBin(), "clean", "--input", dir_.File("direct.ndjson"), "--output", "/dev/null",
                    "--rejects", dir_.File("direct-rejects.ndjson")});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  int64_t direct_bad = 0;
  for (char c : ReadFile(dir_.File("direct-rejects.ndjson"))) direct_bad += c == '\n';
  ASSERT_GT(direct_bad, 50);
  auto produce = pinpipe::testing::Run(Cmd({"log", "produce"}), gen.out);
  ASSERT_EQ(produce.exit_code, 0) << produce.err;

  // 2. Traffic through the API, with replays and bad records.
  std::optional<Subprocess> up;
  int port = StartUp(&up, dir_.File("up1.log"));
  std::string target = "http://127.0.0.1:" + std::to_string(port);
  auto first = pinpipe::testing::Run({PinpipeBin(), "emulate", "--target", target, "--rate", "2000", "--duration", "3",
                    "--duplicate-rate", "0.05", "--bad-rate", "0.05", "--seed", "11", "--acked-out",
                    dir_.File("acked1.ndjson"), "--report-json", dir_.File("report1.json")});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // 3. Ctrl-C while an emulator is still posting flat out.
  SpawnOptions quiet;
  quiet.stdout_path = dir_.File("emulate2.out");
  quiet.stderr_path = dir_.File("emulate2.err");
  auto second = Subprocess::Start({PinpipeBin(), "emulate", "--target", target, "--max", "--duration", "20",
                                   "--concurrency", "16", "--duplicate-rate", "0.05", "--seed", "12",
                                   "--acked-out", dir_.File("acked2.ndjson")},
                                  quiet);
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(WaitFor([&] { return AckedIds(dir_.File("acked2.ndjson")).size() > 500; }));
  StopUp(&up, dir_.File("up1.log"));
  second->Wait(std::chrono::seconds(60));  // it sees refused connections: any exit code

  // 4. Restart, then stop again: nothing acknowledged may be missing.
  StartUp(&up, dir_.File("up2.log"));
  StopUp(&up, dir_.File("up2.log"));

  // 5. The daily batch for every landed date.
  int dates = 0;
  int64_t raw_records = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_ + "/lake/raw/pins")) {
    std::string dt = e.path().filename().string().substr(3);
    auto batch = pinpipe::testing::Run(Cmd({"batch", "--date", dt}));
    ASSERT_EQ(batch.exit_code, 0) << batch.out << batch.err;
    std::smatch raw;
    ASSERT_TRUE(std::regex_search(batch.out, raw, std::regex("raw records +([0-9,]+)"))) << batch.out;
    std::string digits = raw[1];
    std::erase(digits, ',');
    raw_records += std::stoll(digits);
    ++dates;
  }
  ASSERT_GE(dates, 1);

  // 6. The numbers.
  auto db = SqliteDb::Open(data_ + "/warehouse.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  SqliteDb& wh = **db;
  ASSERT_TRUE(wh.Exec("ATTACH DATABASE '" + data_ + "/live.db' AS live").ok());

  std::set<std::string> acked = AckedIds(dir_.File("acked1.ndjson"));
  for (const auto& id : AckedIds(dir_.File("acked2.ndjson"))) acked.insert(id);
  ASSERT_GT(acked.size(), 5000u);
  auto lookup = wh.Prepare("SELECT COUNT(*) FROM live.pins_live WHERE unique_id = ?1");
  ASSERT_TRUE(lookup.ok());
  size_t missing = 0;
  for (const std::string& id : acked) {
    ASSERT_TRUE(lookup->BindText(1, id).ok());
    auto row = lookup->Step();
    ASSERT_TRUE(row.ok() && *row);
    missing += lookup->ColumnInt(0) == 1 ? 0 : 1;
    lookup->Reset();
  }
  EXPECT_EQ(missing, 0u) << "acknowledged records missing from pins_live";

  // The live table and the warehouse's newest version of each pin agree on every column.
  const std::string cols =
      "unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, media_type, "
      "image_src, downloaded, save_location, category, ingested_at, bus_partition, bus_offset";
  const std::string latest_wh =
      "SELECT " + cols + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY unique_id ORDER BY ingested_at DESC, "
      "bus_partition DESC, bus_offset DESC) AS newest FROM main.pins) WHERE newest = 1";
  int64_t live_rows = QueryInt(wh, "SELECT COUNT(*) FROM live.pins_live");
  EXPECT_EQ(live_rows, QueryInt(wh, "SELECT COUNT(DISTINCT unique_id) FROM main.pins"));
  EXPECT_EQ(QueryInt(wh, "SELECT COUNT(*) FROM (SELECT " + cols + " FROM live.pins_live EXCEPT " + latest_wh + ")"), 0);
  EXPECT_EQ(QueryInt(wh, "SELECT COUNT(*) FROM (" + latest_wh + " EXCEPT SELECT " + cols + " FROM live.pins_live)"), 0);

  // Each bad record that bypassed the door is a dead letter once on each path.
  EXPECT_EQ(QueryInt(wh, "SELECT COUNT(*) FROM live.pins_rejected"), direct_bad);
  EXPECT_EQ(QueryInt(wh, "SELECT COUNT(DISTINCT bus_partition || ':' || bus_offset) FROM live.pins_rejected"),
            direct_bad);
  EXPECT_EQ(QueryInt(wh, "SELECT COUNT(*) FROM main.pins_rejected"), direct_bad);

  // The stream's positions reached the log's end.
  auto describe = pinpipe::testing::Run(Cmd({"log", "describe", "--json"}));
  ASSERT_EQ(describe.exit_code, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(describe.out, m, std::regex("\"records\":([0-9]+)")));
  int64_t in_log = std::stoll(m[1]);
  EXPECT_EQ(QueryInt(wh, "SELECT SUM(next_offset) FROM live.pinpipe_offsets"), in_log);
  // Every record of the log was landed and read by the batch exactly once.
  EXPECT_EQ(raw_records, in_log);
}

}  // namespace
}  // namespace pinpipe
