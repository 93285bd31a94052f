// The API in front of the real embedded log: what a 202 names is what a
// consumer reads back, keyed and timestamped as promised.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bus/open_bus.h"
#include "http_client.h"
#include "ingest/api_server.h"
#include "subprocess.h"

namespace pinpipe::ingest {
namespace {

using ::testing::HasSubstr;

constexpr UnixMicros kLogTestNow = 1'764'151'200'123'456;

std::string Uuid(int i) {
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", i);
  return uuid;
}
std::string NumberedRecord(int i) { return R"({"index":)" + std::to_string(i) + R"(,"unique_id":")" + Uuid(i) + R"("})"; }

class ApiServerLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bus::BusOptions o;
    o.url = "log:" + dir_.path();
    o.clock = &clock_;
    auto b = bus::OpenBus(o);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    bus_ = std::move(b).value();
    ASSERT_TRUE(bus_->CreateTopic("pins", 4).ok());
    auto p = bus_->NewProducer("pins");
    ASSERT_TRUE(p.ok());
    producer_ = std::move(p).value();
    ApiOptions options;
    options.listen = "127.0.0.1:0";
    options.io_threads = 2;
    auto s = ApiServer::Start(options, producer_.get(), &registry_, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::seconds(10));
    EXPECT_TRUE(producer_->Flush(std::chrono::seconds(10)).ok());
  }

  std::vector<bus::Record> ReadAll(size_t want) {
    auto c = bus_->NewConsumer("pins");
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE((*c)->Assign({{0, 0}, {1, 0}, {2, 0}, {3, 0}}).ok());
    std::vector<bus::Record> all;
    testing::WaitFor([&] {
      auto got = (*c)->Poll(1000, std::chrono::milliseconds(50));
      if (got.ok()) all.insert(all.end(), got->begin(), got->end());
      return all.size() >= want;
    }, std::chrono::seconds(10));
    return all;
  }

  testing::TempDir dir_;
  ManualClock clock_{kLogTestNow};
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Producer> producer_;
  metrics::Registry registry_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiServerLogTest, AcknowledgedPinIsInTheLogWhereTheResponseSays) {
  auto r = testing::HttpRequest(server_->port(), "POST", "/pin", NumberedRecord(1), {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 202) << r.body;
  int partition = bus::PartitionForKey(Uuid(1), 4);
  EXPECT_EQ(r.body, R"({"partition":)" + std::to_string(partition) + R"(,"offset":0})");
  auto records = ReadAll(1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].partition, partition);
  EXPECT_EQ(records[0].offset, 0);
  EXPECT_EQ(records[0].key, Uuid(1));
  EXPECT_EQ(records[0].value, NumberedRecord(1));
  EXPECT_EQ(records[0].timestamp, kLogTestNow);
}

TEST_F(ApiServerLogTest, BatchRecordsAllLandInTheLog) {
  std::string body;
  for (int i = 0; i < 500; ++i) body += NumberedRecord(i) + "\n";
  body += "{\"unique_id\":\"bad\"}\n";
  auto r = testing::HttpRequest(server_->port(), "POST", "/pins", body, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"({"accepted":500,"rejected":1,"rejects":[{"line":501,"reason":"invalid_unique_id")"));
  auto records = ReadAll(500);
  ASSERT_EQ(records.size(), 500u);
  std::set<std::string> keys;
  for (const auto& rec : records) {
    keys.insert(rec.key);
    EXPECT_EQ(rec.partition, bus::PartitionForKey(rec.key, 4));
  }
  EXPECT_EQ(keys.size(), 500u);
}

}  // namespace
}  // namespace pinpipe::ingest
