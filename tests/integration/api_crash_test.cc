// kill -9 of `pinpipe api` while `pinpipe emulate` posts, 10 times over: after
// a restart, every record the emulator saw acknowledged is in the log (at the
// very position the API named, for single posts) and `pinpipe log verify`
// finds nothing half-written.
#include <signal.h>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "http_client.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using testing::PinpipeBin;
using testing::SpawnOptions;
using testing::Subprocess;
using testing::TempDir;
using namespace std::chrono_literals;

SpawnOptions Output(const std::string& out, const std::string& err) {
  SpawnOptions o;
  o.stdout_path = out;
  o.stderr_path = err;
  return o;
}

double AcceptedSoFar(int port) {
  auto r = testing::HttpRequest(port, "GET", "/metrics");
  std::string key = "\npinpipe_api_records_accepted_total ";
  size_t at = r.body.find(key);
  return r.status == 200 && at != std::string::npos ? std::stod(r.body.substr(at + key.size())) : -1;
}

std::optional<Subprocess> StartApi(const TempDir& dir, int port, const std::string& log_name) {
  auto api = Subprocess::Start({PinpipeBin(), "--data-dir", dir.path(), "api", "--listen",
                                "127.0.0.1:" + std::to_string(port), "--partitions", "4"},
                               Output("", dir.File(log_name)));
  if (!api) return api;
  bool up = testing::WaitFor(
      [&] { return !api->Running() || testing::HttpRequest(port, "GET", "/healthz").status == 200; }, 20s);
  up = up && api->Running();
  EXPECT_TRUE(up) << testing::ReadFile(dir.File(log_name));
  return api;
}

struct LogRecord {
  int partition;
  int64_t offset;
  std::string key;
};

// `pinpipe log cat --with-meta`, parsed.
std::vector<LogRecord> CatLog(const TempDir& dir) {
  auto cat = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "log", "cat", "--with-meta"});
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  std::vector<LogRecord> out;
  simdjson::dom::parser parser;
  std::istringstream lines(cat.out);
  std::string line;
  while (std::getline(lines, line)) {
    simdjson::dom::element e;
    auto err = parser.parse(line).get(e);
    EXPECT_FALSE(err) << line;
    if (err) continue;
    out.push_back({static_cast<int>(int64_t(e["partition"])), int64_t(e["offset"]), std::string(std::string_view(e["key"]))});
  }
  return out;
}

void CrashOnce(int run) {
  SCOPED_TRACE("run " + std::to_string(run));
  TempDir dir;
  int port = testing::FreePort();
  auto api = StartApi(dir, port, "api1.err");
  ASSERT_TRUE(api);
  bool batch = run % 2 == 1;
  auto emulator = Subprocess::Start(
      {PinpipeBin(), "emulate", "--target", "http://127.0.0.1:" + std::to_string(port), "--duration", "20",
       "--concurrency", batch ? "8" : "32", "--batch", batch ? "25" : "1", "--bad-rate", "0.02", "--seed",
       std::to_string(run + 1), "--timeout-ms", "3000", "--acked-out", dir.File("acked.ndjson")},
      Output(dir.File("emulate.out"), dir.File("emulate.err")));
  ASSERT_TRUE(emulator);
  // Kill at a different point each run, while requests are in flight.
  double kill_after = 300 + 250 * run;
  ASSERT_TRUE(testing::WaitFor([&] { return AcceptedSoFar(port) >= kill_after; }, 60s));
  api->Signal(SIGKILL);
  EXPECT_EQ(api->Wait(10s), 128 + SIGKILL);
  emulator->Signal(SIGINT);
  auto emulator_exit = emulator->Wait(30s);
  ASSERT_TRUE(emulator_exit.has_value());
  EXPECT_EQ(*emulator_exit, 1) << "requests to a killed API must fail\n" << testing::ReadFile(dir.File("emulate.out"));

  // Restart (recovery) and stop cleanly.
  auto again = StartApi(dir, port, "api2.err");
  ASSERT_TRUE(again);
  again->Signal(SIGTERM);
  EXPECT_EQ(again->Wait(30s), 0) << testing::ReadFile(dir.File("api2.err"));

  auto verify = testing::Run({PinpipeBin(), "--data-dir", dir.path(), "log", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  std::map<std::pair<int, int64_t>, std::string> at;
  std::set<std::string> keys;
  for (const LogRecord& r : CatLog(dir)) {
    at[{r.partition, r.offset}] = r.key;
    keys.insert(r.key);
  }
  simdjson::dom::parser parser;
  std::istringstream acked(testing::ReadFile(dir.File("acked.ndjson")));
  std::string line;
  int checked = 0;
  while (std::getline(acked, line)) {
    simdjson::dom::element e;
    ASSERT_FALSE(parser.parse(line).get(e)) << line;
    std::string id{std::string_view(e["unique_id"])};
    EXPECT_TRUE(keys.count(id)) << "acknowledged but not in the log: " << id;
    int64_t partition = 0;
    if (!e["partition"].get(partition)) {
      auto pos = std::make_pair(static_cast<int>(partition), int64_t(e["offset"]));
      EXPECT_EQ(at[pos], id) << "acknowledged at " << partition << "/" << pos.second;
    }
    ++checked;
  }
  EXPECT_GE(checked, kill_after) << "the emulator recorded fewer acknowledgements than the API counted";
  std::printf("run %d (%s): killed after %.0f accepted; %d acknowledged records all found among %zu in the log\n",
              run, batch ? "batches of 25" : "single posts", kill_after, checked, keys.size());
}

TEST(ApiCrashTest, AcknowledgedRecordsSurviveKillNine) {
  for (int run = 0; run < 10; ++run) {
    CrashOnce(run);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace pinpipe
