// The pipeline through the real binary with Kafka as the bus: librdkafka's
// mock cluster is hosted in this test process while `pinpipe api`, `stream`,
// `land`, `batch` and `query` run as child processes against it with
// --bus kafka://…, and kcat reads what they wrote as an independent client.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "kafka/kafka_pipeline.h"
#include "kafka_mock_cluster.h"

namespace pinpipe {
namespace {

using kafka_pipeline::Ack;
using kafka_pipeline::KafkaPipeline;
using testing::RunResult;

class KafkaEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = testing::KafkaMockCluster::Start(3);
    ASSERT_NE(mock_, nullptr);
    ASSERT_TRUE(mock_->CreateTopic("pins", 4));  // the mock has no CreateTopics API
    pipeline_.emplace(mock_->bootstrap());
    ASSERT_TRUE(pipeline_->has_kcat()) << "kcat is needed (Debian package kcat)";
  }

  std::unique_ptr<testing::KafkaMockCluster> mock_;
  std::optional<KafkaPipeline> pipeline_;
};

TEST_F(KafkaEndToEndTest, ApiToKafkaToStreamIsExactlyOnce) {
  KafkaPipeline& p = *pipeline_;
  ASSERT_TRUE(p.Gen("records1.ndjson", 1500, 11));
  ASSERT_TRUE(p.Gen("records2.ndjson", 1500, 12, 1500));
  int port = p.StartApi();
  ASSERT_NE(port, 0);
  std::string db = p.File("live.db");

  // A stream runs while the first half arrives, and is killed mid-way.
  testing::SpawnOptions spawn;
  spawn.stderr_path = p.File("stream.err");
  auto stream =
      testing::Subprocess::Start(p.Args({"stream", "--bus", p.url(), "--sink", "sqlite:" + db}), spawn);
  ASSERT_TRUE(stream);
  std::vector<Ack> acks = p.Emulate(port, "records1.ndjson", 1500, 1, "acked1.ndjson");
  ASSERT_EQ(acks.size(), 1500u);
  ASSERT_TRUE(
      testing::WaitFor([&] { return !kafka_pipeline::Sql(db, "SELECT 1 FROM pinpipe_offsets").empty(); },
                       std::chrono::seconds(60)))
      << testing::ReadFile(p.File("stream.err"));
  stream->Signal(SIGKILL);
  stream->Wait();

  // The rest arrives while no stream runs; a fresh one drains everything,
  // and another finds nothing more to do.
  std::vector<Ack> more = p.Emulate(port, "records2.ndjson", 1500, 1, "acked2.ndjson");
  ASSERT_EQ(more.size(), 1500u);
  acks.insert(acks.end(), more.begin(), more.end());
  p.StopApi();
  RunResult drained = p.Pinpipe({"stream", "--once", "--bus", p.url(), "--sink", "sqlite:" + db});
  ASSERT_EQ(drained.exit_code, 0) << drained.err;
  RunResult again = p.Pinpipe({"stream", "--once", "--bus", p.url(), "--sink", "sqlite:" + db});
  ASSERT_EQ(again.exit_code, 0) << again.err;

  p.ExpectStreamedExactlyOnce(db, acks);
}

TEST_F(KafkaEndToEndTest, ApiToKafkaToLandToBatch) {
  KafkaPipeline& p = *pipeline_;
  ASSERT_TRUE(p.Gen("records.ndjson", 2000, 21));
  int port = p.StartApi();
  ASSERT_NE(port, 0);
  std::vector<Ack> acks = p.Emulate(port, "records.ndjson", 2000, 50, "acked.ndjson");
  ASSERT_EQ(acks.size(), 2000u);
  p.StopApi();
  std::set<std::string> ids;
  for (const Ack& ack : acks) ids.insert(ack.unique_id);
  EXPECT_EQ(p.KcatRecords().size(), acks.size());

  std::string lake = "file:" + p.File("lake");
  RunResult land = p.Pinpipe({"land", "--once", "--bus", p.url(), "--lake", lake});
  ASSERT_EQ(land.exit_code, 0) << land.err;
  // Object names carry offsets: per partition they tile [0, end) exactly.
  auto objects = [&] {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::recursive_directory_iterator(p.File("lake/raw/pins"))) {
      if (e.path().extension() == ".zst") names.insert(e.path().string());
    }
    return names;
  };
  std::set<std::string> landed = objects();
  std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> ranges;
  std::set<std::string> dates;
  std::regex name_re(R"(dt=(\d{4}-\d{2}-\d{2})/hr=\d{2}/p=(\d+)/(\d+)-(\d+)\.ndjson\.zst$)");
  for (const std::string& name : landed) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(name, m, name_re)) << name;
    dates.insert(m[1]);
    ranges[std::stoi(m[2])].emplace_back(std::stoll(m[3]), std::stoll(m[4]));
  }
  std::map<int32_t, int64_t> ends = p.EndOffsets();
  for (auto& [partition, list] : ranges) {
    std::sort(list.begin(), list.end());
    int64_t next = 0;
    for (const auto& [first, last] : list) {
      EXPECT_EQ(first, next) << "partition " << partition;
      next = last + 1;
    }
    EXPECT_EQ(next, ends[partition]) << "partition " << partition;
  }
  RunResult relanded = p.Pinpipe({"land", "--once", "--bus", p.url(), "--lake", lake});
  ASSERT_EQ(relanded.exit_code, 0) << relanded.err;
  EXPECT_EQ(objects(), landed) << "landing twice must not land anything again";

  std::string warehouse = "sqlite:" + p.File("warehouse.db");
  for (const std::string& dt : dates) {
    RunResult batch = p.Pinpipe({"batch", "--date", dt, "--lake", lake, "--warehouse", warehouse});
    ASSERT_EQ(batch.exit_code, 0) << batch.out << batch.err;
    RunResult verify =
        p.Pinpipe({"batch", "--date", dt, "--lake", lake, "--warehouse", warehouse, "--verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  RunResult query = p.Pinpipe(
      {"query", "--warehouse", warehouse, "--format", "csv", "SELECT count(DISTINCT unique_id) FROM pins"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  std::istringstream lines(query.out);
  std::string header, count;
  std::getline(lines, header);
  std::getline(lines, count);
  if (!count.empty() && count.back() == '\r') count.pop_back();  // CSV lines end in CRLF
  EXPECT_EQ(count, std::to_string(ids.size())) << query.out;
}

}  // namespace
}  // namespace pinpipe
