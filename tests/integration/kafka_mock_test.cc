// pinpipe's Kafka bus cross-checked with kcat, an independent Kafka client,
// over librdkafka's mock cluster (hosted in this process, on loopback):
// what pinpipe acknowledged is exactly what kcat reads, at the same
// partition and offset, and what kcat produces pinpipe reads.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "bus/kafka/kafka_bus.h"
#include "bus/kafka/kafka_test_records.h"
#include "kafka_mock_cluster.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using namespace std::chrono_literals;
using bus::kafka::testing::AppendAndWait;
using bus::kafka::testing::MakeRecords;
using bus::kafka::testing::ReadRecords;
using bus::kafka::testing::TestRecord;

struct KcatRecord {
  bus::PartitionId partition = 0;
  bus::Offset offset = 0;
  std::string key;
  std::string value;
};

// Parses kcat -f '%p %o %k %s\n' output (values hold no newline).
std::vector<KcatRecord> ParseKcat(const std::string& out) {
  std::vector<KcatRecord> records;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    KcatRecord r;
    fields >> r.partition >> r.offset >> r.key;
    std::getline(fields, r.value);
    if (!r.value.empty()) r.value.erase(0, 1);
    records.push_back(std::move(r));
  }
  return records;
}

class KafkaMockKcatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kcat_ = testing::FindProgram("kcat");
    ASSERT_FALSE(kcat_.empty()) << "kcat is needed (Debian package kcat)";
    mock_ = testing::KafkaMockCluster::Start(3);
    ASSERT_NE(mock_, nullptr);
    ASSERT_TRUE(mock_->CreateTopic("pins", 4));
    auto options = bus::kafka::ParseKafkaUrl(mock_->url());
    ASSERT_TRUE(options.ok());
    auto opened = bus::kafka::OpenKafkaBus(*options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    bus_ = std::move(opened).value();
  }

  testing::RunResult Kcat(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {kcat_, "-b", mock_->bootstrap()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::Run(argv, input, {}, 60s);
  }

  std::string kcat_;
  std::unique_ptr<testing::KafkaMockCluster> mock_;
  std::unique_ptr<bus::Bus> bus_;
};

TEST_F(KafkaMockKcatTest, KcatReadsExactlyWhatPinpipeAcknowledged) {
  auto producer = bus_->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  std::map<std::pair<bus::PartitionId, bus::Offset>, TestRecord> acknowledged;
  for (int b = 0; b < 10; ++b) {
    std::vector<TestRecord> batch = MakeRecords(100, "kcat" + std::to_string(b));
    auto positions = AppendAndWait(**producer, batch);
    ASSERT_TRUE(positions.ok()) << positions.status().ToString();
    for (size_t i = 0; i < batch.size(); ++i) {
      acknowledged[{(*positions)[i].partition, (*positions)[i].offset}] = batch[i];
    }
  }
  ASSERT_EQ(acknowledged.size(), 1000u);

  testing::RunResult listed = Kcat({"-L", "-t", "pins"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("with 4 partitions"), std::string::npos) << listed.out;

  testing::RunResult consumed =
      Kcat({"-C", "-t", "pins", "-o", "beginning", "-e", "-q", "-f", "%p %o %k %s\n"});
  ASSERT_EQ(consumed.exit_code, 0) << consumed.err;
  std::vector<KcatRecord> seen = ParseKcat(consumed.out);
  ASSERT_EQ(seen.size(), acknowledged.size());  // end offsets equal acknowledged records
  std::set<std::pair<bus::PartitionId, bus::Offset>> positions;
  for (const KcatRecord& r : seen) {
    ASSERT_TRUE(positions.emplace(r.partition, r.offset).second);
    auto it = acknowledged.find({r.partition, r.offset});
    ASSERT_NE(it, acknowledged.end())
        << "kcat found a record pinpipe never acknowledged at " << r.partition << "/" << r.offset;
    EXPECT_EQ(r.key, it->second.key);
    EXPECT_EQ(r.value, it->second.value);
  }

  // kcat reads from a given offset like a pinpipe consumer assigned there.
  testing::RunResult tail =
      Kcat({"-C", "-t", "pins", "-p", "2", "-o", "5", "-e", "-q", "-f", "%p %o %k %s\n"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  std::vector<KcatRecord> from5 = ParseKcat(tail.out);
  ASSERT_FALSE(from5.empty());
  EXPECT_EQ(from5.front().offset, 5);
  auto described = bus_->DescribeTopic("pins");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(static_cast<int64_t>(from5.size()), (*described)[2].end_offset - 5);
}

TEST_F(KafkaMockKcatTest, PinpipeReadsWhatKcatProduced) {
  ASSERT_TRUE(mock_->CreateTopic("external", 2));
  std::string input;
  for (int i = 0; i < 50; ++i) {
    input += "key-" + std::to_string(i) + "\t{\"from\":\"kcat\",\"i\":" + std::to_string(i) + "}\n";
  }
  int64_t before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  testing::RunResult produced = Kcat({"-P", "-t", "external", "-K", "\t"}, input);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;

  auto consumer = bus_->NewConsumer("external");
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{0, 0}, {1, 0}}).ok());
  auto read = ReadRecords(**consumer, 50);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 50u);
  std::set<std::string> keys;
  for (const bus::Record& r : *read) {
    keys.insert(r.key);
    EXPECT_NE(r.value.find("\"from\":\"kcat\""), std::string::npos);
    // No pinpipe header: Kafka's millisecond timestamp, in microseconds.
    EXPECT_EQ(r.timestamp % 1000, 0);
    EXPECT_GE(r.timestamp, (before_ms - 60'000) * 1000);
  }
  EXPECT_EQ(keys.size(), 50u);
}

}  // namespace
}  // namespace pinpipe
