// The Bus contract on Kafka, through librdkafka's mock cluster (the real Kafka
// protocol on loopback): positions from delivery reports, reads from given
// offsets, watermarks, out-of-range, topic administration, clear errors.
#include "bus/kafka/kafka_bus.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "bus/kafka/kafka_test_records.h"
#include "kafka_mock_cluster.h"
#include "subprocess.h"

namespace pinpipe::bus::kafka {
namespace {

using namespace std::chrono_literals;
using testing::AppendAndWait;
using testing::FromStart;
using testing::MakeRecords;
using testing::ReadRecords;
using testing::TestRecord;

class KafkaBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = pinpipe::testing::KafkaMockCluster::Start(3);
    ASSERT_NE(mock_, nullptr);
    ASSERT_TRUE(mock_->CreateTopic("pins", 4));
    auto options = ParseKafkaUrl(mock_->url());
    ASSERT_TRUE(options.ok());
    options->request_timeout = 5s;
    auto bus = OpenKafkaBus(*options);
    ASSERT_TRUE(bus.ok()) << bus.status().ToString();
    bus_ = std::move(bus).value();
  }

  std::unique_ptr<pinpipe::testing::KafkaMockCluster> mock_;
  std::unique_ptr<Bus> bus_;
};

TEST_F(KafkaBusTest, AppendedRecordsAreReadBackExactlyAtTheirPositions) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  // Two threads append interleaved batches, as API workers do.
  std::vector<std::vector<TestRecord>> batches;
  for (int b = 0; b < 20; ++b) batches.push_back(MakeRecords(50, "batch" + std::to_string(b)));
  std::vector<Result<std::vector<Position>>> results(batches.size(), Status::Cancelled("not run"));
  auto worker = [&](size_t first) {
    for (size_t b = first; b < batches.size(); b += 2) results[b] = AppendAndWait(**producer, batches[b]);
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();

  std::map<Position, const TestRecord*, decltype([](const Position& a, const Position& b) {
             return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
           })>
      sent;
  for (size_t b = 0; b < batches.size(); ++b) {
    ASSERT_TRUE(results[b].ok()) << results[b].status().ToString();
    ASSERT_EQ(results[b]->size(), batches[b].size());
    for (size_t i = 0; i < batches[b].size(); ++i) {
      const Position& pos = (*results[b])[i];
      EXPECT_EQ(pos.partition, PartitionForKey(batches[b][i].key, 4));
      EXPECT_TRUE(sent.emplace(pos, &batches[b][i]).second) << "position given twice";
    }
  }
  ASSERT_EQ(sent.size(), 1000u);

  auto described = bus_->DescribeTopic("pins");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  ASSERT_EQ(described->size(), 4u);
  int64_t total = 0;
  for (const PartitionInfo& p : *described) {
    EXPECT_EQ(p.start_offset, 0);
    total += p.end_offset - p.start_offset;
  }
  EXPECT_EQ(total, 1000);  // exactly what was acknowledged

  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->Assign(FromStart(*described)).ok());
  auto read = ReadRecords(**consumer, 1000);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1000u);
  std::map<PartitionId, Offset> next;
  for (const Record& r : *read) {
    EXPECT_EQ(r.offset, next[r.partition]) << "partition " << r.partition << " out of order or with a gap";
    next[r.partition] = r.offset + 1;
    auto it = sent.find(Position{r.partition, r.offset});
    ASSERT_NE(it, sent.end());
    EXPECT_EQ(r.key, it->second->key);
    EXPECT_EQ(r.value, it->second->value);
    EXPECT_EQ(r.timestamp, it->second->timestamp);  // microseconds survive Kafka's milliseconds
  }
  for (const PartitionInfo& p : *described) EXPECT_EQ(next[p.partition], p.end_offset);
  auto more = (*consumer)->Poll(10, 300ms);
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(more->empty()) << "read more than was appended";
}

TEST_F(KafkaBusTest, ConsumerStartsAtTheOffsetsItIsGiven) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  std::vector<TestRecord> records = MakeRecords(200, "offsets");
  auto positions = AppendAndWait(**producer, records);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  auto described = bus_->DescribeTopic("pins");
  ASSERT_TRUE(described.ok());

  std::map<PartitionId, Offset> from;
  size_t expected = 0;
  for (const PartitionInfo& p : *described) {
    from[p.partition] = p.end_offset / 2;
    expected += p.end_offset - p.end_offset / 2;
  }
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign(from).ok());
  auto read = ReadRecords(**consumer, expected);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), expected);
  std::set<std::pair<PartitionId, Offset>> seen;
  for (const Record& r : *read) {
    EXPECT_GE(r.offset, from[r.partition]);
    EXPECT_TRUE(seen.emplace(r.partition, r.offset).second);
  }
  // Re-assigning rewinds: the caller owns the position.
  ASSERT_TRUE((*consumer)->Assign({{0, 0}}).ok());
  auto again = (*consumer)->Poll(1, 10s);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].partition, 0);
  EXPECT_EQ((*again)[0].offset, 0);
}

TEST_F(KafkaBusTest, OffsetPastTheEndIsOutOfRange) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(AppendAndWait(**producer, MakeRecords(20, "oor")).ok());
  auto described = bus_->DescribeTopic("pins");
  ASSERT_TRUE(described.ok());
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{1, (*described)[1].end_offset + 5}}).ok());
  Status status;
  ASSERT_TRUE(pinpipe::testing::WaitFor(
      [&] {
        auto polled = (*consumer)->Poll(10, 200ms);
        if (polled.ok()) return false;
        status = polled.status();
        return true;
      },
      20s));
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange) << status.ToString();
  EXPECT_NE(status.message().find("pins/1"), std::string::npos) << status.message();
}

TEST_F(KafkaBusTest, OffsetAtTheEndWaitsForNewRecords) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}, {2, 0}, {3, 0}}).ok());
  auto none = (*consumer)->Poll(10, 300ms);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(AppendAndWait(**producer, MakeRecords(8, "tail")).ok());
  auto read = ReadRecords(**consumer, 8);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->size(), 8u);
}

TEST_F(KafkaBusTest, EmptyAppendCallsBackWithNoPositions) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  auto positions = AppendAndWait(**producer, {});
  ASSERT_TRUE(positions.ok());
  EXPECT_TRUE(positions->empty());
  EXPECT_TRUE((*producer)->Flush(5s).ok());
}

TEST_F(KafkaBusTest, UnknownTopicIsNotFound) {
  auto described = bus_->DescribeTopic("nope");
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.status().code(), StatusCode::kNotFound);
  EXPECT_NE(described.status().message().find("'nope'"), std::string::npos);
  EXPECT_EQ(bus_->NewProducer("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bus_->NewConsumer("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(KafkaBusTest, CreateTopicAcceptsTheSameShapeAndRejectsAnother) {
  EXPECT_TRUE(bus_->CreateTopic("pins", 4).ok());
  Status other = bus_->CreateTopic("pins", 8);
  EXPECT_EQ(other.code(), StatusCode::kAlreadyExists) << other.ToString();
  EXPECT_NE(other.message().find("4 partitions"), std::string::npos);
}

TEST_F(KafkaBusTest, AssignRejectsPartitionsTheTopicDoesNotHave) {
  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  EXPECT_EQ((*consumer)->Assign({{4, 0}}).code(), StatusCode::kNotFound);
  EXPECT_EQ((*consumer)->Assign({{0, -1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*consumer)->Assign({}).ok());
}

TEST(KafkaOpenTest, UnreachableBrokersFailWithinTheTimeout) {
  KafkaOptions options;
  options.brokers = {"127.0.0.1:" + std::to_string(pinpipe::testing::FreePort())};
  options.request_timeout = 1500ms;
  auto start = std::chrono::steady_clock::now();
  auto bus = OpenKafkaBus(options);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.status().code(), StatusCode::kUnavailable) << bus.status().ToString();
  EXPECT_NE(bus.status().message().find(options.brokers[0]), std::string::npos) << bus.status().message();
  // The last connection error says why.
  EXPECT_NE(bus.status().message().find("refused"), std::string::npos) << bus.status().message();
  EXPECT_LT(elapsed, 10s);
}

TEST(KafkaOpenTest, BadPropertiesAreInvalidArguments) {
  KafkaOptions options;
  options.brokers = {"127.0.0.1:1"};
  options.properties = {{"no.such.property", "1"}};
  auto bus = OpenKafkaBus(options);
  EXPECT_EQ(bus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bus.status().message().find("no.such.property"), std::string::npos);
  options.properties = {{"acks", "1"}};
  bus = OpenKafkaBus(options);
  EXPECT_EQ(bus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bus.status().message().find("acks=1"), std::string::npos);
  options.brokers.clear();
  options.properties.clear();
  EXPECT_EQ(OpenKafkaBus(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pinpipe::bus::kafka
