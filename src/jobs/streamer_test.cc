// Streamer over the real embedded log and SQLite sink: drains exactly, resumes
// from stored positions, survives commits that fail before or after they
// reach the database, stops on request, and reports its metrics.
#include "jobs/streamer.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "bus/open_bus.h"
#include "jobs/stream_metrics.h"
#include "jobs/stream_test_fixture.h"
#include "subprocess.h"

namespace pinpipe::jobs {
namespace {

using ::pinpipe::testing::TempDir;
using ::pinpipe::testing::WaitFor;

// A LiveSink that fails some commits: `fail_every` > 0 fails every Nth
// CommitBatch with `code`; odd failures happen before the real commit, even
// ones after it (a commit whose acknowledgement was lost).
class FlakySink final : public sinks::LiveSink {
 public:
  FlakySink(sinks::LiveSink* real, int fail_every, StatusCode code)
      : real_(real), every_(fail_every), code_(code) {}
  Result<sinks::PositionMap> ReadPositions(const std::string& topic) override {
    return real_->ReadPositions(topic);
  }
  Status CommitBatch(const sinks::LiveBatch& batch) override {
    ++calls_;
    if (every_ == 0 || calls_ % every_ != 0) return real_->CommitBatch(batch);
    ++failures_;
    if (failures_ % 2 == 0) PINPIPE_RETURN_IF_ERROR(real_->CommitBatch(batch));
    return Status(code_, "injected failure " + std::to_string(failures_));
  }
  std::string Describe() const override { return "flaky " + real_->Describe(); }
  int failures() const { return failures_; }

 private:
  sinks::LiveSink* real_;
  int every_;
  StatusCode code_;
  int calls_ = 0;
  int failures_ = 0;
};

// A LiveSink that remembers which partitions each commit stored.
class PartitionRecordingSink final : public sinks::LiveSink {
 public:
  explicit PartitionRecordingSink(sinks::LiveSink* real) : real_(real) {}
  Result<sinks::PositionMap> ReadPositions(const std::string& topic) override { return real_->ReadPositions(topic); }
  Status CommitBatch(const sinks::LiveBatch& batch) override {
    for (const auto& entry : *batch.next) partitions_.insert(entry.first);
    return real_->CommitBatch(batch);
  }
  std::string Describe() const override { return real_->Describe(); }
  const std::set<bus::PartitionId>& partitions() const { return partitions_; }

 private:
  sinks::LiveSink* real_;
  std::set<bus::PartitionId> partitions_;
};

class StreamerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bus::BusOptions options;
    options.url = "log:" + dir_.File("log");
    options.sync = "never";
    auto bus = bus::OpenBus(options);
    ASSERT_TRUE(bus.ok()) << bus.status().ToString();
    bus_ = std::move(bus).value();
    ASSERT_TRUE(bus_->CreateTopic("pins", 4).ok());
    auto sink = sinks::OpenLiveSink(url_);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  void Produce(int n, uint64_t seed) {
    ASSERT_TRUE(testing::ProduceAll(bus_.get(), "pins", testing::MakeStreamRecords(n, seed)).ok());
    records_ += n;
  }

  StreamerOptions Options() {
    StreamerOptions o;
    o.max_batch_records = 100;
    o.max_batch_delay = std::chrono::milliseconds(5);
    o.idle_poll = std::chrono::milliseconds(10);
    o.retry_initial = std::chrono::milliseconds(1);
    o.retry_max = std::chrono::milliseconds(4);
    return o;
  }

  void ExpectExactTables() {
    auto want = testing::ExpectedTables(bus_.get(), "pins");
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = testing::ReadLiveTables(url_);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(testing::DiffTables(*want, *got), "");
    // The fixture is not trivial: replays collapsed, rejects of every kind.
    EXPECT_LT(want->live.size() + want->rejected.size(), static_cast<size_t>(records_));
    EXPECT_GT(want->rejected.size(), 0u);
  }

  TempDir dir_;
  std::string url_ = "sqlite:" + dir_.File("live.db");
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<sinks::LiveSink> sink_;
  metrics::Registry registry_;
  int records_ = 0;
};

TEST_F(StreamerTest, RunOnceLeavesExactlyTheNewestCleanVersionOfEachRecord) {
  Produce(3000, 1);
  auto streamer = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  ASSERT_TRUE(streamer.ok());
  auto summary = (*streamer)->RunOnce();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->records, 3000);
  EXPECT_GE(summary->batches, 30);
  EXPECT_GT(summary->dead_letters, 0);
  ExpectExactTables();
}

TEST_F(StreamerTest, SecondRunOnceFindsNothingNew) {
  Produce(500, 2);
  auto streamer = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  ASSERT_TRUE((*streamer)->RunOnce().ok());
  auto again = (*streamer)->RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->records, 0);
  EXPECT_EQ(again->batches, 0);
  ExpectExactTables();
}

TEST_F(StreamerTest, CommitsFailingBeforeOrAfterTheDatabaseLoseAndDoubleNothing) {
  Produce(3000, 3);
  FlakySink flaky(sink_.get(), 3, StatusCode::kUnavailable);
  auto streamer = Streamer::Open(Options(), bus_.get(), &flaky, RealClock(), &registry_);
  auto summary = (*streamer)->RunOnce();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GE(flaky.failures(), 4);
  EXPECT_EQ(summary->retries, flaky.failures());
  ExpectExactTables();
}

TEST_F(StreamerTest, NonRetryableErrorStopsAndALaterRunResumesExactly) {
  Produce(2000, 4);
  FlakySink broken(sink_.get(), 4, StatusCode::kInternal);
  auto first = Streamer::Open(Options(), bus_.get(), &broken, RealClock(), &registry_);
  auto failed = (*first)->RunOnce();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_FALSE(sink_->ReadPositions("pins")->empty());  // it had made progress

  auto second = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  ASSERT_TRUE((*second)->RunOnce().ok());
  ExpectExactTables();
}

TEST_F(StreamerTest, RunFollowsNewRecordsAndStopsWhenAsked) {
  Produce(300, 5);
  auto streamer = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  std::stop_source stop;
  Status result = Status::Internal("not finished");
  std::thread runner([&] { result = (*streamer)->Run(stop.get_token()); });
  Produce(300, 6);  // appended while it runs
  auto ends = bus_->DescribeTopic("pins");
  sinks::PositionMap want;
  for (const auto& p : *ends) want[p.partition] = p.end_offset;
  EXPECT_TRUE(WaitFor([&] {
    auto t = testing::ReadLiveTables(url_);
    return t.ok() && t->positions == want;
  }));
  stop.request_stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  ExpectExactTables();
}

TEST_F(StreamerTest, StoredPositionPastTheLogEndIsAnError) {
  sinks::PositionMap from;
  sinks::PositionMap next = {{0, 1000}};
  ASSERT_TRUE(sink_->CommitBatch({.topic = "pins", .from = &from, .next = &next}).ok());
  auto streamer = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  auto summary = (*streamer)->RunOnce();
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(summary.status().message().find("past the log end"), std::string::npos);
}

TEST_F(StreamerTest, SerialCommitsGiveTheSameTables) {
  Produce(1000, 7);
  StreamerOptions o = Options();
  o.pipeline = false;
  auto streamer = Streamer::Open(o, bus_.get(), sink_.get(), RealClock(), &registry_);
  ASSERT_TRUE((*streamer)->RunOnce().ok());
  ExpectExactTables();
}

TEST_F(StreamerTest, LanesCommitOnlyTheirOwnPartitionsAndGiveTheSameTables) {
  // Three connections to one database for four partitions: lane i commits
  // the partitions at positions i, i+3, ... of the topic.
  Produce(3000, 9);
  std::vector<std::unique_ptr<sinks::LiveSink>> connections;
  std::vector<std::unique_ptr<PartitionRecordingSink>> lanes;
  std::vector<sinks::LiveSink*> sinks;
  for (int i = 0; i < 3; ++i) {
    auto sink = sinks::OpenLiveSink(url_);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    connections.push_back(std::move(sink).value());
    lanes.push_back(std::make_unique<PartitionRecordingSink>(connections.back().get()));
    sinks.push_back(lanes.back().get());
  }
  auto streamer = Streamer::Open(Options(), bus_.get(), sinks, RealClock(), &registry_);
  ASSERT_TRUE(streamer.ok());
  auto summary = (*streamer)->RunOnce();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->records, 3000);
  EXPECT_EQ(lanes[0]->partitions(), (std::set<bus::PartitionId>{0, 3}));
  EXPECT_EQ(lanes[1]->partitions(), (std::set<bus::PartitionId>{1}));
  EXPECT_EQ(lanes[2]->partitions(), (std::set<bus::PartitionId>{2}));
  ExpectExactTables();
}

TEST_F(StreamerTest, AFailingLaneIsRetriedWithoutLosingOrDoublingTheOthers) {
  Produce(3000, 10);
  auto second = sinks::OpenLiveSink(url_);
  ASSERT_TRUE(second.ok());
  FlakySink flaky(second->get(), 3, StatusCode::kUnavailable);
  auto streamer = Streamer::Open(Options(), bus_.get(), std::vector<sinks::LiveSink*>{sink_.get(), &flaky},
                                 RealClock(), &registry_);
  auto summary = (*streamer)->RunOnce();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GE(flaky.failures(), 2);
  ExpectExactTables();
}

TEST_F(StreamerTest, MetricsCountRowsRejectsAndLag) {
  Produce(1000, 8);
  auto streamer = Streamer::Open(Options(), bus_.get(), sink_.get(), RealClock(), &registry_);
  auto summary = (*streamer)->RunOnce();
  ASSERT_TRUE(summary.ok());
  StreamMetrics m(&registry_);  // same registry: the same metric objects
  EXPECT_EQ(m.rows_committed.Value(), static_cast<double>(summary->rows));
  EXPECT_EQ(m.records_read.Value(), 1000.0);
  double rejects = 0;
  for (int i = 0; i < pin::kRejectReasonCount; ++i)
    rejects += m.Rejects(static_cast<pin::RejectReason>(i)).Value();
  EXPECT_EQ(rejects, static_cast<double>(summary->dead_letters));
  EXPECT_EQ(m.end_to_end.Count(), static_cast<uint64_t>(summary->rows));
  EXPECT_EQ(m.batch_records.Count(), static_cast<uint64_t>(summary->batches));
  for (int p = 0; p < 4; ++p) EXPECT_EQ(m.Lag(p).Value(), 0.0) << "partition " << p;
  std::string text = registry_.Exposition();
  EXPECT_NE(text.find("pinpipe_stream_lag_records{partition=\"3\"} 0"), std::string::npos) << text;
}

}  // namespace
}  // namespace pinpipe::jobs
