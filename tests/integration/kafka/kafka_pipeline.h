// Shared by the Kafka integration tests: runs pinpipe's commands as child
// processes against a Kafka bus URL (mock cluster or real broker) and reads
// back what they wrote (emulate's acknowledgements, the SQLite live table,
// kcat's view of the topic). Header-only test code.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bus/kafka/kafka_bus.h"
#include "http_client.h"
#include "subprocess.h"

namespace pinpipe::kafka_pipeline {

using namespace std::chrono_literals;
using Position = std::pair<int32_t, int64_t>;

// One line of `pinpipe emulate --acked-out` (position only for POST /pin).
struct Ack {
  std::string unique_id;
  int32_t partition = -1;
  int64_t offset = -1;
};

inline std::vector<Ack> ReadAcks(const std::string& path) {
  std::vector<Ack> out;
  simdjson::dom::parser parser;
  std::istringstream in(testing::ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    simdjson::dom::element doc = parser.parse(line);
    Ack ack;
    ack.unique_id = std::string(std::string_view(doc["unique_id"]));
    int64_t partition = -1;
    if (doc["partition"].get(partition) == simdjson::SUCCESS) {
      ack.partition = static_cast<int32_t>(partition);
      ack.offset = int64_t(doc["offset"]);
    }
    out.push_back(std::move(ack));
  }
  return out;
}

// Rows of a read-only SQLite query, every column as text.
inline std::vector<std::vector<std::string>> Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::vector<std::string>> rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// Owned by one test. `bootstrap` is "host:port[,host:port]".
class KafkaPipeline {
 public:
  KafkaPipeline(std::string bootstrap, std::string topic = "pins")
      : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)), kcat_(testing::FindProgram("kcat")) {}
  ~KafkaPipeline() {
    if (api_ && api_->Running()) api_->Signal(SIGKILL);
  }

  std::string url() const { return "kafka://" + bootstrap_; }
  const testing::TempDir& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_.File(name); }
  bool has_kcat() const { return !kcat_.empty(); }

  // pinpipe argv with this pipeline's data dir and quiet logs.
  std::vector<std::string> Args(std::vector<std::string> args) const {
    args.insert(args.begin(), {testing::PinpipeBin(), "--data-dir", dir_.path(), "--log-level", "warn"});
    return args;
  }
  testing::RunResult Pinpipe(std::vector<std::string> args) const {
    return testing::Run(Args(std::move(args)), "", {}, std::chrono::minutes(3));
  }

  // `pinpipe gen` into File(name).
  bool Gen(const std::string& name, int count, int seed, int first_index = 0) {
    testing::RunResult gen =
        testing::Run({testing::PinpipeBin(), "gen", "--count", std::to_string(count), "--seed",
                      std::to_string(seed), "--first-index", std::to_string(first_index)});
    testing::WriteFile(File(name), gen.out);
    return gen.exit_code == 0;
  }

  // Starts `pinpipe api` on the bus; its port, or 0 (after ADD_FAILURE).
  int StartApi(std::vector<std::string> extra = {}) {
    int port = testing::FreePort();
    std::vector<std::string> args = {
        "api", "--listen", "127.0.0.1:" + std::to_string(port), "--bus", url(), "--topic", topic_};
    args.insert(args.end(), extra.begin(), extra.end());
    testing::SpawnOptions spawn;
    spawn.stderr_path = File("api.err");
    auto started = testing::Subprocess::Start(Args(args), spawn);
    if (!started) return 0;
    api_.emplace(std::move(*started));
    bool up = testing::WaitFor(
        [&] { return !api_->Running() || testing::HttpRequest(port, "GET", "/readyz").status == 200; }, 90s);
    if (!up || !api_->Running()) {
      ADD_FAILURE() << "pinpipe api did not start: " << testing::ReadFile(File("api.err"));
      return 0;
    }
    return port;
  }

  // SIGTERM: the API drains and exits 0.
  void StopApi() {
    api_->Signal(SIGTERM);
    EXPECT_EQ(api_->Wait(60s), 0) << testing::ReadFile(File("api.err"));
    api_.reset();
  }

  // Posts the first `count` records of File(input); what the API acknowledged.
  std::vector<Ack> Emulate(int port, const std::string& input, int count, int batch,
                           const std::string& acked) {
    testing::RunResult r = Pinpipe({"emulate", "--target", "http://127.0.0.1:" + std::to_string(port),
                                    "--input", File(input), "--count", std::to_string(count), "--batch",
                                    std::to_string(batch), "--concurrency", "4", "--acked-out", File(acked)});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return ReadAcks(File(acked));
  }

  // Every record of the topic as kcat reads it: position -> key.
  std::map<Position, std::string> KcatRecords() const {
    testing::RunResult r = testing::Run(
        {kcat_, "-b", bootstrap_, "-C", "-t", topic_, "-o", "beginning", "-e", "-q", "-f", "%p %o %k\n"}, "",
        {}, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<Position, std::string> out;
    std::istringstream in(r.out);
    int32_t p;
    int64_t o;
    std::string key;
    while (in >> p >> o >> key) out[{p, o}] = key;
    return out;
  }

  // The topic's end offsets, as pinpipe's Kafka bus reports them.
  std::map<int32_t, int64_t> EndOffsets() const {
    auto options = bus::kafka::ParseKafkaUrl(url());
    auto opened = bus::kafka::OpenKafkaBus(*options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    std::map<int32_t, int64_t> out;
    if (!opened.ok()) return out;
    auto described = (*opened)->DescribeTopic(topic_);
    EXPECT_TRUE(described.ok()) << described.status().ToString();
    for (const bus::PartitionInfo& p : described.value_or({})) out[p.partition] = p.end_offset;
    return out;
  }

  // Checks the SQLite live table at `db` against the acknowledgements
  // (positions required): one row per unique_id at its newest position,
  // stored positions equal to Kafka's end offsets, nothing rejected; and
  // that kcat finds every acknowledged record where the API said, and no other.
  void ExpectStreamedExactlyOnce(const std::string& db, const std::vector<Ack>& acks) const {
    std::map<Position, std::string> in_kafka = KcatRecords();
    EXPECT_EQ(in_kafka.size(), acks.size());
    std::map<std::string, Position> newest;
    for (const Ack& ack : acks) {
      ASSERT_GE(ack.partition, 0) << "acknowledgements without positions";
      auto it = in_kafka.find({ack.partition, ack.offset});
      ASSERT_NE(it, in_kafka.end()) << ack.unique_id;
      EXPECT_EQ(it->second, ack.unique_id);
      Position pos{ack.partition, ack.offset};
      auto [slot, inserted] = newest.emplace(ack.unique_id, pos);
      if (!inserted && pos > slot->second) slot->second = pos;
    }
    std::vector<std::vector<std::string>> rows =
        Sql(db, "SELECT unique_id, bus_partition, bus_offset FROM pins_live");
    ASSERT_EQ(rows.size(), newest.size());
    for (const auto& row : rows) {
      auto it = newest.find(row[0]);
      ASSERT_NE(it, newest.end()) << row[0];
      EXPECT_EQ(Position(std::stoi(row[1]), std::stoll(row[2])), it->second) << row[0];
    }
    std::map<int32_t, int64_t> stored;
    for (const auto& row : Sql(db, "SELECT topic, bus_partition, next_offset FROM pinpipe_offsets")) {
      if (row[0] == topic_) stored[std::stoi(row[1])] = std::stoll(row[2]);
    }
    EXPECT_EQ(stored, EndOffsets());
    auto rejected = Sql(db, "SELECT count(*) FROM pins_rejected");
    ASSERT_EQ(rejected.size(), 1u);
    EXPECT_EQ(rejected[0][0], "0");
  }

 private:
  std::string bootstrap_;
  std::string topic_;
  std::string kcat_;
  testing::TempDir dir_;
  std::optional<testing::Subprocess> api_;
};

}  // namespace pinpipe::kafka_pipeline
