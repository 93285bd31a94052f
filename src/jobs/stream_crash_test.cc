// Crash safety of `pinpipe stream` into SQLite, through the real binary:
// kill -9 at random instants, again and again, over a log with replays and
// bad rows; then a clean --once must leave exactly the expected tables (no
// row lost, none doubled, each dead letter once, positions at the log end).
#include <gtest/gtest.h>
#include <signal.h>

#include "bus/open_bus.h"
#include "jobs/stream_test_fixture.h"
#include "subprocess.h"

namespace pinpipe::jobs {
namespace {

using ::pinpipe::testing::PinpipeBin;
using ::pinpipe::testing::TempDir;

constexpr int kRecords = 20000;
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

  const std::vector<std::string> argv = {PinpipeBin(), "--data-dir",       dir.path(), "--log-level",
                                         "warn",       "stream",           "--once",   "--bus",
                                         bus_url,      "--sink",           sink_url,   "--batch-records",
                                         "20",         "--batch-delay-ms", "1"};
  testing::KillLoopResult kills =
      testing::KillNineLoop(argv, sink_url, want.positions, kKills, 7, dir.File("stderr"));
  std::printf("kills: %d while running, %d mid-stream\n", kills.killed, kills.mid_stream);
  EXPECT_GE(kills.killed, kKills);
  EXPECT_GE(kills.mid_stream, kKills / 2) << "the kills should land while the stream is half done";

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
