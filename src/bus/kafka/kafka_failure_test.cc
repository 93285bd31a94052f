// Failures injected through the mock cluster's API: an Append the cluster
// did not take reports an error (the API answers 503) instead of positions,
// and consumers resume without loss or duplicates.
#include <gtest/gtest.h>

#include <set>

#include "bus/kafka/kafka_bus.h"
#include "bus/kafka/kafka_test_records.h"
#include "kafka_mock_cluster.h"
#include "subprocess.h"

namespace pinpipe::bus::kafka {
namespace {

using namespace std::chrono_literals;
using pinpipe::testing::KafkaMockCluster;
using testing::AppendAndWait;
using testing::MakeRecords;
using testing::ReadRecords;
namespace kafka_api = pinpipe::testing::kafka_api;
namespace kafka_error = pinpipe::testing::kafka_error;

class KafkaFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = KafkaMockCluster::Start(3);
    ASSERT_NE(mock_, nullptr);
    ASSERT_TRUE(mock_->CreateTopic("pins", 4));
    options_ = ParseKafkaUrl(mock_->url()).value();
    options_.request_timeout = 5s;
    // Fail undeliverable records in 2 s rather than 30 s.
    options_.properties = {{"message.timeout.ms", "2000"}};
    auto bus = OpenKafkaBus(options_);
    ASSERT_TRUE(bus.ok()) << bus.status().ToString();
    bus_ = std::move(bus).value();
    auto producer = bus_->NewProducer("pins");
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    producer_ = std::move(producer).value();
  }

  void AllBrokers(bool up) {
    for (int id = 1; id <= 3; ++id) ASSERT_TRUE(up ? mock_->SetBrokerUp(id) : mock_->SetBrokerDown(id));
  }

  int64_t RecordsInTopic() {
    auto described = bus_->DescribeTopic("pins");
    EXPECT_TRUE(described.ok()) << described.status().ToString();
    int64_t total = 0;
    for (const PartitionInfo& p : described.value_or({})) total += p.end_offset - p.start_offset;
    return total;
  }

  // Every record of the topic, read from offset 0 of each partition.
  std::vector<Record> ReadAll(size_t expected) {
    auto consumer = bus_->NewConsumer("pins");
    EXPECT_TRUE(consumer.ok());
    if (!consumer.ok()) return {};
    EXPECT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}, {2, 0}, {3, 0}}).ok());
    auto read = ReadRecords(**consumer, expected);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.value_or({});
  }

  std::unique_ptr<KafkaMockCluster> mock_;
  KafkaOptions options_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(KafkaFailureTest, ProduceErrorsAreReportedAndNothingIsAcknowledged) {
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(10, "before")).ok());
  mock_->PushRequestErrors(kafka_api::kProduce, 200, kafka_error::kNotEnoughReplicas);
  auto failed = AppendAndWait(*producer_, MakeRecords(10, "during"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  mock_->ClearRequestErrors(kafka_api::kProduce);

  auto after = AppendAndWait(*producer_, MakeRecords(10, "after"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(RecordsInTopic(), 20);
  std::vector<Record> all = ReadAll(20);
  ASSERT_EQ(all.size(), 20u);
  for (const Record& r : all) EXPECT_EQ(r.value.find("during"), std::string::npos) << r.value;
}

TEST_F(KafkaFailureTest, AuthorizationFailureIsNotRetryable) {
  mock_->PushRequestErrors(kafka_api::kProduce, 1, kafka_error::kTopicAuthorizationFailed);
  auto failed = AppendAndWait(*producer_, MakeRecords(1, "denied"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("AUTHORIZATION"), std::string::npos);
}

TEST_F(KafkaFailureTest, BrokersDownFailAppendsUntilTheyReturn) {
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(5, "before")).ok());
  AllBrokers(false);
  auto start = std::chrono::steady_clock::now();
  auto failed = AppendAndWait(*producer_, MakeRecords(5, "down"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  AllBrokers(true);
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(5, "after")).ok());
  EXPECT_EQ(RecordsInTopic(), 10);
}

TEST_F(KafkaFailureTest, FullQueueIsBackpressure) {
  options_.properties.emplace_back("queue.buffering.max.messages", "10");
  auto bus = OpenKafkaBus(options_);
  ASSERT_TRUE(bus.ok());
  auto producer = (*bus)->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  AllBrokers(false);  // nothing drains the queue
  auto full = AppendAndWait(**producer, MakeRecords(20, "flood"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted) << full.status().ToString();
  AllBrokers(true);
}

TEST_F(KafkaFailureTest, ClosingAProducerCallsEveryPendingAppendBack) {
  AllBrokers(false);
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  auto calls = std::make_shared<std::atomic<int>>(0);
  std::vector<testing::TestRecord> records = MakeRecords(3, "pending");
  std::vector<Message> messages = testing::AsMessages(records);
  producer_->Append(messages, [promise, calls](Result<std::vector<Position>> r) {
    if (calls->fetch_add(1) == 0) promise->set_value(r.status());
  });
  producer_.reset();  // waits a bounded time, then fails what is left
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  EXPECT_FALSE(future.get().ok());
  EXPECT_EQ(calls->load(), 1);
  AllBrokers(true);
}

TEST_F(KafkaFailureTest, ConsumerResumesAfterBrokersReturnWithoutLossOrDuplicates) {
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(200, "first")).ok());
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}, {2, 0}, {3, 0}}).ok());
  auto first = ReadRecords(**consumer, 200);
  ASSERT_TRUE(first.ok());
  std::vector<Record> all = std::move(first).value();
  ASSERT_EQ(all.size(), 200u);

  // The consumer is caught up and fetching when the cluster goes away.
  AllBrokers(false);
  auto during = (*consumer)->Poll(1000, 1500ms);
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_TRUE(during->empty());
  AllBrokers(true);
  mock_->PushRequestErrors(kafka_api::kFetch, 3, kafka_error::kNotLeaderForPartition);
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(200, "second")).ok());

  auto rest = ReadRecords(**consumer, 200, 60s);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  for (Record& r : *rest) all.push_back(std::move(r));
  std::set<std::pair<PartitionId, Offset>> seen;
  for (const Record& r : all) EXPECT_TRUE(seen.emplace(r.partition, r.offset).second) << "duplicate";
  EXPECT_EQ(seen.size(), 400u);
  auto extra = (*consumer)->Poll(10, 300ms);
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra->empty());
}

TEST_F(KafkaFailureTest, ConsumerClosesPromptlyWhileBrokersAreDown) {
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}}).ok());
  ASSERT_TRUE((*consumer)->Poll(10, 200ms).ok());
  AllBrokers(false);
  auto start = std::chrono::steady_clock::now();
  consumer->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  AllBrokers(true);
}

TEST_F(KafkaFailureTest, ANewConsumerResumesFromTheCallersPositions) {
  ASSERT_TRUE(AppendAndWait(*producer_, MakeRecords(300, "handover")).ok());
  std::map<PartitionId, Offset> next = {{0, 0}, {1, 0}, {2, 0}, {3, 0}};
  std::set<std::pair<PartitionId, Offset>> seen;
  {
    auto consumer = bus_->NewConsumer("pins");
    ASSERT_TRUE(consumer.ok());
    ASSERT_TRUE((*consumer)->Assign(next).ok());
    auto some = ReadRecords(**consumer, 120);
    ASSERT_TRUE(some.ok());
    for (const Record& r : *some) {
      seen.emplace(r.partition, r.offset);
      next[r.partition] = r.offset + 1;  // what a sink stores with its write
    }
  }
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign(next).ok());
  auto rest = ReadRecords(**consumer, 300 - seen.size());
  ASSERT_TRUE(rest.ok());
  for (const Record& r : *rest) EXPECT_TRUE(seen.emplace(r.partition, r.offset).second) << "duplicate";
  EXPECT_EQ(seen.size(), 300u);
  auto extra = (*consumer)->Poll(10, 300ms);
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra->empty());
}

}  // namespace
}  // namespace pinpipe::bus::kafka
