// pinpipe against a real Apache Kafka broker (KRaft, fetched from Maven
// Central and cached): topic creation through the admin API, exactly-once
// produce/consume at the acknowledged positions, retention-style
// out-of-range, and kcat as an independent client.
#include "kafka_broker.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "bus/kafka/kafka_bus.h"
#include "bus/kafka/kafka_test_records.h"
#include "kafka/kafka_pipeline.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using namespace std::chrono_literals;
using bus::kafka::testing::AppendAndWait;
using bus::kafka::testing::MakeRecords;
using bus::kafka::testing::ReadRecords;
using bus::kafka::testing::TestRecord;
using testing::KafkaBroker;

class KafkaBrokerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = KafkaBroker::Start().release(); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(broker_, nullptr) << "the Kafka broker did not start";
    auto options = bus::kafka::ParseKafkaUrl(broker_->url());
    ASSERT_TRUE(options.ok());
    options->request_timeout = 30s;  // a fresh broker elects leaders for a while
    auto opened = bus::kafka::OpenKafkaBus(*options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    bus_ = std::move(opened).value();
  }

  static KafkaBroker* broker_;
  std::unique_ptr<bus::Bus> bus_;
};

KafkaBroker* KafkaBrokerTest::broker_ = nullptr;

TEST_F(KafkaBrokerTest, CreatesTopicsThroughTheAdminApi) {
  ASSERT_TRUE(bus_->CreateTopic("created", 3).ok());
  auto described = bus_->DescribeTopic("created");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  ASSERT_EQ(described->size(), 3u);
  for (const bus::PartitionInfo& p : *described) {
    EXPECT_EQ(p.start_offset, 0);
    EXPECT_EQ(p.end_offset, 0);
  }
  EXPECT_TRUE(bus_->CreateTopic("created", 3).ok());
  EXPECT_EQ(bus_->CreateTopic("created", 5).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(bus_->DescribeTopic("never-created").status().code(), StatusCode::kNotFound);
}

TEST_F(KafkaBrokerTest, EveryAcknowledgedRecordIsReadOnceAtItsPosition) {
  ASSERT_TRUE(bus_->CreateTopic("pins", 4).ok());
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::vector<TestRecord>> batches;
  std::map<std::pair<bus::PartitionId, bus::Offset>, const TestRecord*> sent;
  for (int b = 0; b < 40; ++b) {
    batches.push_back(MakeRecords(50, "real" + std::to_string(b)));
  }
  for (const auto& batch : batches) {
    auto positions = AppendAndWait(**producer, batch);
    ASSERT_TRUE(positions.ok()) << positions.status().ToString();
    for (size_t i = 0; i < batch.size(); ++i) {
      const bus::Position& pos = (*positions)[i];
      EXPECT_EQ(pos.partition, bus::PartitionForKey(batch[i].key, 4));
      EXPECT_TRUE(sent.emplace(std::pair(pos.partition, pos.offset), &batch[i]).second);
    }
  }
  auto described = bus_->DescribeTopic("pins");
  ASSERT_TRUE(described.ok());
  int64_t total = 0;
  for (const bus::PartitionInfo& p : *described) total += p.end_offset - p.start_offset;
  EXPECT_EQ(total, 2000);

  auto consumer = bus_->NewConsumer("pins");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}, {2, 0}, {3, 0}}).ok());
  auto read = ReadRecords(**consumer, 2000, 60s);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 2000u);
  std::set<std::pair<bus::PartitionId, bus::Offset>> seen;
  for (const bus::Record& r : *read) {
    ASSERT_TRUE(seen.emplace(r.partition, r.offset).second) << "duplicate";
    auto it = sent.find({r.partition, r.offset});
    ASSERT_NE(it, sent.end());
    EXPECT_EQ(r.key, it->second->key);
    EXPECT_EQ(r.value, it->second->value);
    EXPECT_EQ(r.timestamp, it->second->timestamp);
  }

  // kcat, an independent client, sees the same records at the same places.
  std::string kcat = testing::FindProgram("kcat");
  ASSERT_FALSE(kcat.empty()) << "kcat is needed (Debian package kcat)";
  testing::RunResult listed =
      testing::Run({kcat, "-b", broker_->bootstrap(), "-L", "-t", "pins"}, "", {}, 60s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("with 4 partitions"), std::string::npos) << listed.out;
  testing::RunResult consumed = testing::Run({kcat, "-b", broker_->bootstrap(), "-C", "-t", "pins", "-o",
                                              "beginning", "-e", "-q", "-f", "%p %o %k %s\n"},
                                             "", {}, 60s);
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  std::istringstream lines(consumed.out);
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    bus::PartitionId p;
    bus::Offset o;
    std::string key, value;
    fields >> p >> o >> key;
    std::getline(fields, value);
    auto it = sent.find({p, o});
    ASSERT_NE(it, sent.end()) << line;
    EXPECT_EQ(key, it->second->key);
    EXPECT_EQ(value.substr(1), it->second->value);
    ++count;
  }
  EXPECT_EQ(count, 2000u);
}

TEST_F(KafkaBrokerTest, PositionBelowTheLogStartIsOutOfRange) {
  ASSERT_TRUE(bus_->CreateTopic("trimmed", 1).ok());
  auto producer = bus_->NewProducer("trimmed");
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(AppendAndWait(**producer, MakeRecords(10, "trim")).ok());
  ASSERT_TRUE(broker_->DeleteRecordsBefore("trimmed", 0, 6));
  auto described = bus_->DescribeTopic("trimmed");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ((*described)[0].start_offset, 6);
  EXPECT_EQ((*described)[0].end_offset, 10);

  auto consumer = bus_->NewConsumer("trimmed");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 2}}).ok());
  Status status;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto polled = (*consumer)->Poll(10, 200ms);
        if (polled.ok() && polled->empty()) return false;
        status = polled.status();
        return true;
      },
      30s));
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange) << status.ToString();
  // From the new start, the remaining records are there.
  ASSERT_TRUE((*consumer)->Assign({{0, 6}}).ok());
  auto rest = ReadRecords(**consumer, 4);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 4u);
  EXPECT_EQ(rest->front().offset, 6);
}

// The CLI on real Kafka: the API creates the topic through the admin API,
// acknowledges records where kcat then finds them, and a stream drains them
// into SQLite exactly once.
TEST_F(KafkaBrokerTest, ApiCreatesTheTopicAndStreamDrainsItExactlyOnce) {
  kafka_pipeline::KafkaPipeline p(broker_->bootstrap(), "cli");
  ASSERT_TRUE(p.has_kcat());
  ASSERT_TRUE(p.Gen("records.ndjson", 600, 31));
  int port = p.StartApi({"--partitions", "3"});
  ASSERT_NE(port, 0);
  auto described = bus_->DescribeTopic("cli");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->size(), 3u);
  std::vector<kafka_pipeline::Ack> acks = p.Emulate(port, "records.ndjson", 600, 1, "acked.ndjson");
  ASSERT_EQ(acks.size(), 600u);
  p.StopApi();
  std::string db = p.File("live.db");
  testing::RunResult stream =
      p.Pinpipe({"stream", "--once", "--bus", p.url(), "--topic", "cli", "--sink", "sqlite:" + db});
  ASSERT_EQ(stream.exit_code, 0) << stream.err;
  p.ExpectStreamedExactlyOnce(db, acks);
}

}  // namespace
}  // namespace pinpipe
