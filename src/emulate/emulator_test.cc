// The emulator against the real ApiServer (in-memory producer) on loopback.
#include "emulate/emulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "fake_producer.h"
#include "ingest/api_server.h"
#include "subprocess.h"

namespace pinpipe::emulate {
namespace {

std::string Uuid(int i) {
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", i);
  return uuid;
}

// Records from a list; a record "BAD" is one the API rejects.
class ListSource : public RecordSource {
 public:
  explicit ListSource(std::vector<std::string> records) : records_(std::move(records)) {}
  bool Next(std::string* out) override {
    if (next_ == records_.size()) return false;
    out->append(records_[next_++]);
    return true;
  }

 private:
  std::vector<std::string> records_;
  size_t next_ = 0;
};

std::vector<std::string> Records(int n, int bad_every = 0) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    bool bad = bad_every > 0 && i % bad_every == bad_every - 1;
    out.push_back(bad ? R"({"unique_id":"not-a-uuid"})" : R"({"index":)" + std::to_string(i) +
                                                              R"(,"unique_id":")" + Uuid(i) + R"("})");
  }
  return out;
}

class EmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ingest::ApiOptions o;
    o.listen = "127.0.0.1:0";
    o.io_threads = 1;
    auto s = ingest::ApiServer::Start(o, &producer_, &registry_, RealClock());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    options_.target = *ParseTargetUrl("http://127.0.0.1:" + std::to_string(server_->port()));
  }

  testing::FakeProducer producer_;
  metrics::Registry registry_;
  std::unique_ptr<ingest::ApiServer> server_;
  EmulatorOptions options_;
};

TEST_F(EmulatorTest, SingleRecordsAreAllAcknowledgedWithPositions) {
  ListSource source(Records(200, 10));
  options_.concurrency = 4;
  options_.want_acks = true;
  std::vector<Ack> acks;
  std::set<std::string> ids;
  EmulatorHooks hooks;
  hooks.on_ack = [&](const Ack& a) {
    acks.push_back(a);
    ids.insert(std::string(a.unique_id));
  };
  auto report = RunEmulator(options_, &source, hooks);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->counts.records_sent, 200);
  EXPECT_EQ(report->counts.requests, 200);
  EXPECT_EQ(report->counts.accepted, 180);
  EXPECT_EQ(report->counts.rejected, 20);
  EXPECT_EQ(report->counts.failed, 0);
  EXPECT_EQ(report->statuses.at(202), 180);
  EXPECT_EQ(report->latency.count(), 200);
  ASSERT_EQ(acks.size(), 180u);
  EXPECT_EQ(ids.size(), 180u);
  for (const Ack& a : acks) EXPECT_GE(a.partition, 0);
  EXPECT_EQ(producer_.records().size(), 180u);
}

TEST_F(EmulatorTest, BatchesGoToPinsAndRejectedLinesAreNotAcknowledged) {
  ListSource source(Records(250, 7));
  options_.batch = 100;
  options_.concurrency = 2;
  options_.want_acks = true;
  std::set<std::string> ids;
  EmulatorHooks hooks;
  hooks.on_ack = [&](const Ack& a) { ids.insert(std::string(a.unique_id)); };
  auto report = RunEmulator(options_, &source, hooks);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->counts.requests, 3);
  EXPECT_EQ(report->counts.records_sent, 250);
  EXPECT_EQ(report->counts.rejected, 35);
  EXPECT_EQ(report->counts.accepted, 215);
  std::set<std::string> stored;
  for (const auto& r : producer_.records()) stored.insert(r.key);
  EXPECT_EQ(ids, stored);
}

TEST_F(EmulatorTest, CountStopsAnEndlessSource) {
  auto source = GeneratedRecords({.seed = 3, .duplicate_rate = 0, .bad_rate = 0, .first_index = 0});
  options_.count = 57;
  options_.batch = 10;
  auto report = RunEmulator(options_, source.get(), {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->counts.records_sent, 57);
  EXPECT_EQ(report->counts.requests, 6);
  EXPECT_EQ(report->counts.accepted, 57);
}

TEST_F(EmulatorTest, RateIsPacedOpenLoop) {
  ListSource source(Records(60));
  options_.rate = 200;  // 60 records: the last is due at 295 ms
  options_.concurrency = 2;
  auto start = std::chrono::steady_clock::now();
  auto report = RunEmulator(options_, &source, {});
  ASSERT_TRUE(report.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(290));
  EXPECT_EQ(report->counts.accepted, 60);
}

TEST_F(EmulatorTest, DurationAndCancelStopSending) {
  auto source = GeneratedRecords({});
  options_.duration_ms = 200;
  options_.rate = 1000;
  options_.concurrency = 16;
  auto report = RunEmulator(options_, source.get(), {});
  ASSERT_TRUE(report.ok());
  // Paced: exactly the slots due inside the 200 ms, however late they go out.
  EXPECT_EQ(report->counts.records_sent, 200);
  std::atomic<bool> cancel{true};
  EmulatorHooks hooks;
  hooks.cancel = &cancel;
  auto cancelled = RunEmulator(options_, source.get(), hooks);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->counts.records_sent, 0);
}

TEST_F(EmulatorTest, ThrottledAnswersAreCountedApart) {
  producer_.FailWith(Status::ResourceExhausted("full"));
  ListSource source(Records(10));
  auto report = RunEmulator(options_, &source, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->counts.throttled, 10);
  EXPECT_EQ(report->counts.accepted, 0);
  EXPECT_EQ(report->counts.failed, 0);
  EXPECT_EQ(report->statuses.at(429), 10);
}

TEST_F(EmulatorTest, ProgressIsReported) {
  auto source = GeneratedRecords({});
  options_.duration_ms = 300;
  options_.progress_interval_ms = 50;
  options_.rate = 500;
  int ticks = 0;
  EmulatorHooks hooks;
  hooks.on_progress = [&](const EmulatorCounts& c) { ++ticks; };
  ASSERT_TRUE(RunEmulator(options_, source.get(), hooks).ok());
  EXPECT_GE(ticks, 2);
}

TEST(EmulatorNoServerTest, RefusedConnectionsAreTransportFailures) {
  EmulatorOptions o;
  o.target = *ParseTargetUrl("http://127.0.0.1:" + std::to_string(testing::FreePort()));
  o.concurrency = 2;
  ListSource source(Records(6));
  auto report = RunEmulator(o, &source, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->counts.failed, 6);
  EXPECT_EQ(report->counts.failed_requests, 6);
  EXPECT_EQ(report->counts.accepted, 0);
}

TEST(EmulatorNoServerTest, UnresolvableHostIsUnavailable) {
  EmulatorOptions o;
  o.target = *ParseTargetUrl("http://no-such-host.invalid:80");
  ListSource source(Records(1));
  EXPECT_EQ(RunEmulator(o, &source, {}).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pinpipe::emulate
