// Crash safety through the fault-injecting file system: acknowledged records
// survive a power cut, failed writes and syncs are reported and recovered.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>
#include <set>

#include "bus/log/log_bus.h"
#include "bus/log/log_test_util.h"
#include "bus/log/log_verify.h"
#include "io/fault_injecting_file_system.h"
#include "subprocess.h"

namespace pinpipe::bus::log {
namespace {

using ::pinpipe::testing::TempDir;
using namespace testutil;

struct Sent {
  std::mutex mu;
  std::map<std::pair<PartitionId, Offset>, std::string> acked;
  std::set<std::string> all_values;  // acknowledged or not
};

void AppendTracked(Producer& producer, Sent& sent, std::vector<std::string> values, bool wait) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < values.size(); ++i) keys.push_back("k" + values[i].substr(0, 12));
  std::vector<Message> messages;
  for (size_t i = 0; i < values.size(); ++i) messages.push_back({.key = keys[i], .value = values[i], .timestamp = 7});
  {
    std::lock_guard lock(sent.mu);
    sent.all_values.insert(values.begin(), values.end());
  }
  std::promise<void> done;
  producer.Append(messages, [&sent, &done, values, wait](Result<std::vector<Position>> r) {
    if (r.ok()) {
      std::lock_guard lock(sent.mu);
      for (size_t i = 0; i < values.size(); ++i) sent.acked[{(*r)[i].partition, (*r)[i].offset}] = values[i];
    }
    if (wait) done.set_value();
  });
  if (wait) done.get_future().wait();
}

// Append, acknowledge, cut power (drop every unsynced byte and unsynced
// directory entry), reopen: every acknowledged record is there, at its
// position, and everything readable is something that was sent.
TEST(LogCrashTest, AcknowledgedRecordsSurviveAPowerCut) {
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir tmp;
    io::FaultInjectingFileSystem fs(io::PosixFileSystem());
    LogOptions options = SmallLog(tmp.path(), 3);
    options.fs = &fs;
    std::mt19937 rng(static_cast<uint32_t>(round));
    Sent sent;
    {
      auto bus = MustOpen(options);
      auto producer = *bus->NewProducer("pins");
      const int batches = 5 + static_cast<int>(rng() % 60);
      int n = 0;
      for (int b = 0; b < batches; ++b) {
        std::vector<std::string> values;
        for (int i = 0, k = 1 + static_cast<int>(rng() % 12); i < k; ++i) values.push_back(Value(n++, 100 + rng() % 900));
        AppendTracked(*producer, sent, values, /*wait=*/b + 3 < batches);  // the last few are in flight
      }
      ASSERT_TRUE(fs.Crash().ok());
      producer.reset();  // shutdown writes fail: the disk is "gone"
    }
    fs.Restart();
    auto bus = MustOpen(options);
    auto producer = bus->NewProducer("pins");  // recovery
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    auto records = ReadAll(*bus, "pins", sent.acked.size(), std::chrono::seconds(2));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    std::map<std::pair<PartitionId, Offset>, std::string> got;
    for (const Record& r : *records) {
      EXPECT_TRUE(sent.all_values.count(r.value)) << "garbage at " << r.partition << "/" << r.offset;
      got[{r.partition, r.offset}] = r.value;
    }
    for (const auto& [pos, value] : sent.acked) {
      ASSERT_TRUE(got.count(pos)) << "acknowledged record lost at " << pos.first << "/" << pos.second;
      EXPECT_EQ(got[pos], value);
    }
    auto report = VerifyTopic(io::PosixFileSystem(), tmp.path(), "pins");
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok());
  }
}

TEST(LogCrashTest, FailedWriteIsReportedAndReopenRecovers) {
  TempDir tmp;
  io::FaultInjectingFileSystem fs(io::PosixFileSystem());
  LogOptions options = SmallLog(tmp.path(), 1);
  options.fs = &fs;
  Sent sent;
  {
    auto bus = MustOpen(options);
    auto producer = *bus->NewProducer("pins");
    AppendTracked(*producer, sent, {Value(1), Value(2)}, true);
    fs.FailWrites({.path_contains = ".log", .skip = 0, .times = 1, .partial_bytes = 20});
    auto failed = AppendSync(*producer, {{.key = "k", .value = Value(3), .timestamp = 1}});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
    // The partition stays failed: its file is in an unknown state.
    auto after = AppendSync(*producer, {{.key = "k", .value = Value(4), .timestamp = 1}});
    EXPECT_EQ(after.status().code(), StatusCode::kIOError);
    EXPECT_NE(after.status().message().find("reopen"), std::string::npos);
  }
  fs.ClearFaults();
  auto bus = MustOpen(options);
  auto producer = bus->NewProducer("pins");  // cuts the 20 torn bytes
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto pos = AppendSync(**producer, {{.key = "k", .value = Value(5), .timestamp = 1}});
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ((*pos)[0].offset, 2);
  auto records = ReadAll(*bus, "pins", 3);
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[2].value, Value(5));
}

TEST(LogCrashTest, FailedSyncIsNeverAcknowledged) {
  TempDir tmp;
  io::FaultInjectingFileSystem fs(io::PosixFileSystem());
  LogOptions options = SmallLog(tmp.path(), 1);
  options.fs = &fs;
  {
    auto bus = MustOpen(options);
    auto producer = *bus->NewProducer("pins");
    ASSERT_TRUE(AppendSync(*producer, {{.key = "k", .value = "durable", .timestamp = 1}}).ok());
    fs.FailSyncs({.path_contains = ".log", .skip = 0, .times = -1, .partial_bytes = 0});
    auto failed = AppendSync(*producer, {{.key = "k", .value = "not durable", .timestamp = 1}});
    EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
    ASSERT_TRUE(fs.Crash().ok());
  }
  fs.Restart();
  fs.ClearFaults();
  auto bus = MustOpen(options);
  ASSERT_TRUE(bus->NewProducer("pins").ok());
  auto records = ReadAll(*bus, "pins", 1);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].value, "durable");
}

TEST(LogCrashTest, PowerCutDuringSegmentRollsLosesNothingAcknowledged) {
  TempDir tmp;
  io::FaultInjectingFileSystem fs(io::PosixFileSystem());
  LogOptions options = SmallLog(tmp.path(), 1);
  options.fs = &fs;
  Sent sent;
  {
    auto bus = MustOpen(options);
    auto producer = *bus->NewProducer("pins");
    for (int i = 0; i < 300; ++i) AppendTracked(*producer, sent, {Value(i, 700)}, true);
    ASSERT_TRUE(fs.Crash().ok());
  }
  fs.Restart();
  auto bus = MustOpen(options);
  ASSERT_TRUE(bus->NewProducer("pins").ok());
  auto records = ReadAll(*bus, "pins", 300);
  ASSERT_EQ(records->size(), 300u);
  for (const Record& r : *records) EXPECT_EQ(r.value, (sent.acked[{0, r.offset}]));
}

}  // namespace
}  // namespace pinpipe::bus::log
