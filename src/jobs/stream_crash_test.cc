// Crash safety of `pinpipe stream` into SQLite, through the real binary:
// kill -9 at random instants, again and again, over a log with replays and
// bad rows; then a clean --once must leave exactly the expected tables (no
// row lost, none doubled, each dead letter once, positions at the log end).
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "bus/open_bus.h"
#include "jobs/stream_test_fixture.h"
#include "subprocess.h"

namespace pinpipe::jobs {
namespace {

using ::pinpipe::testing::PinpipeBin;
using ::pinpipe::testing::Subprocess;
using ::pinpipe::testing::TempDir;

constexpr int kRecords = 6000;
constexpr int kKills = 25;

TEST(StreamCrashTest, KillNineAtRandomPointsLosesAndDoublesNothingInSqlite) {
  TempDir dir;
  const std::string bus_url = "log:" + dir.File("log");
  const std::string sink_url = "sqlite:" + dir.File("live.db");
  testing::LiveTables want;
  {
    bus::BusOptions options;
    options.url = bus_url;
    options.sync = "never";
    auto bus = bus::OpenBus(options);
    ASSERT_TRUE(bus.ok()) << bus.status().ToString();
    ASSERT_TRUE((*bus)->CreateTopic("pins", 4).ok());
    ASSERT_TRUE(testing::ProduceAll(bus->get(), "pins", testing::MakeStreamRecords(kRecords, 42)).ok());
    auto expected = testing::ExpectedTables(bus->get(), "pins");
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    want = std::move(expected).value();
  }  // the bus closes: the stream processes open it themselves

  const std::vector<std::string> argv = {PinpipeBin(), "--data-dir", dir.path(), "--log-level", "warn",
                                         "stream",     "--once",     "--bus",    bus_url,       "--sink",
                                         sink_url,     "--batch-records", "40", "--batch-delay-ms", "1"};
  std::mt19937 rng(7);
  int killed_running = 0;
  int killed_mid_stream = 0;  // with some but not all records committed
  for (int i = 0; i < 4 * kKills && killed_running < kKills; ++i) {
    ::pinpipe::testing::SpawnOptions spawn;
    spawn.stderr_path = dir.File("stderr");
    auto child = Subprocess::Start(argv, spawn);
    ASSERT_TRUE(child.has_value());
    auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(2, 60)(rng));
    if (child->Wait(delay).has_value()) continue;  // finished before the kill: nothing left to do
    child->Signal(SIGKILL);
    EXPECT_EQ(child->Wait(std::chrono::seconds(30)), 128 + SIGKILL);
    ++killed_running;
    auto now = testing::ReadLiveTables(sink_url);
    if (now.ok() && !now->positions.empty() && now->positions != want.positions) ++killed_mid_stream;
  }
  std::printf("kills: %d while running, %d mid-stream\n", killed_running, killed_mid_stream);
  EXPECT_GE(killed_running, kKills);
  EXPECT_GE(killed_mid_stream, 5) << "the kills should land while the stream is half done";

  ::pinpipe::testing::RunResult last = ::pinpipe::testing::Run(argv);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  auto got = testing::ReadLiveTables(sink_url);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(testing::DiffTables(want, *got), "");
  EXPECT_GT(want.rejected.size(), 50u);
  EXPECT_LT(want.live.size(), static_cast<size_t>(kRecords) - want.rejected.size());  // replays collapsed
}

}  // namespace
}  // namespace pinpipe::jobs
