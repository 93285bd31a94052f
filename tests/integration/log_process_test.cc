// The embedded log across processes: a `pinpipe log produce` writer process
// read live by a consumer in this process, a second writer process refused,
// and kill -9 of the writer in the middle of a large input, 20 times over:
// verify passes and each partition holds a prefix of its input.
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/log/log_bus.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using bus::log::LogBus;
using bus::log::LogOptions;
using testing::PinpipeBin;

using testing::SpawnOptions;
using testing::Subprocess;
using testing::TempDir;

constexpr int kPartitions = 4;

std::string Uid(int i) {
  char uid[48];
  std::snprintf(uid, sizeof uid, "%08x-%04x-4%03x-8%03x-%012x", i * 2654435761u, i & 0xffff, i % 4096, (i * 7) % 4096,
                i);
  return uid;
}

// ~640-byte pin-like lines with distinct unique_ids.
std::string Input(int count, std::vector<std::string>* keys, std::vector<std::string>* lines) {
  std::string all;
  for (int i = 0; i < count; ++i) {
    std::string line = "{\"index\":" + std::to_string(i) + ",\"unique_id\":\"" + Uid(i) + "\",\"title\":\"";
    while (line.size() < 620) line += static_cast<char>('a' + (i + line.size()) % 26);
    line += "\",\"category\":\"art\"}";
    keys->push_back(Uid(i));
    lines->push_back(line);
    all += line + "\n";
  }
  return all;
}

std::unique_ptr<LogBus> OpenReader(const std::string& dir) {
  LogOptions options;
  options.dir = dir;
  options.default_partitions = kPartitions;
  auto bus = LogBus::Open(options);
  EXPECT_TRUE(bus.ok());
  return std::move(bus).value();
}

// Every record of every partition, in offset order.
std::map<bus::PartitionId, std::vector<std::string>> ReadPartitions(bus::Bus& bus) {
  std::map<bus::PartitionId, std::vector<std::string>> out;
  auto infos = bus.DescribeTopic("pins");
  EXPECT_TRUE(infos.ok()) << infos.status().ToString();
  if (!infos.ok()) return out;
  auto consumer = *bus.NewConsumer("pins");
  for (const bus::PartitionInfo& info : *infos) {
    EXPECT_TRUE(consumer->Assign({{info.partition, info.start_offset}}).ok());
    auto& values = out[info.partition];
    while (static_cast<bus::Offset>(values.size()) < info.end_offset - info.start_offset) {
      auto got = consumer->Poll(1000, std::chrono::seconds(5));
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok() || got->empty()) break;
      for (auto& r : *got) values.push_back(std::move(r.value));
    }
  }
  return out;
}

std::vector<std::string> LogArgs(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {PinpipeBin(), "--log-level", "warn", "log"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--bus", "log:" + dir, "--partitions", std::to_string(kPartitions)});
  return argv;
}

uint64_t BytesUnder(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".log") total += it->file_size(ec);
  }
  return total;
}

TEST(LogProcessTest, ReaderSeesRecordsOfAWriterProcessInKeyOrder) {
  TempDir tmp;
  std::vector<std::string> keys, lines;
  testing::WriteFile(tmp.File("in.ndjson"), Input(20000, &keys, &lines));
  const std::string dir = tmp.File("log");
  ASSERT_EQ(testing::Run(LogArgs(dir, {"create"})).exit_code, 0);
  auto reader_bus = OpenReader(dir);
  auto consumer = *reader_bus->NewConsumer("pins");
  std::map<bus::PartitionId, bus::Offset> from;
  for (int p = 0; p < kPartitions; ++p) from[p] = 0;
  ASSERT_TRUE(consumer->Assign(from).ok());
  SpawnOptions spawn;
  spawn.stdin_path = tmp.File("in.ndjson");
  auto writer = Subprocess::Start(LogArgs(dir, {"produce", "--batch", "200"}), spawn);
  ASSERT_TRUE(writer.has_value());
  std::map<bus::PartitionId, std::vector<std::string>> seen;
  size_t total = 0;
  bool saw_while_running = false;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (total < lines.size() && std::chrono::steady_clock::now() < until) {
    auto got = consumer->Poll(500, std::chrono::milliseconds(200));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!got->empty() && writer->Running()) saw_while_running = true;
    for (auto& r : *got) seen[r.partition].push_back(std::move(r.value));
    total += got->size();
  }
  EXPECT_EQ(writer->Wait(), 0);
  EXPECT_TRUE(saw_while_running) << "records should be readable while the writer runs";
  ASSERT_EQ(total, lines.size());
  // Each partition is exactly its share of the input, in input order.
  for (int p = 0; p < kPartitions; ++p) {
    std::vector<std::string> expected;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (bus::PartitionForKey(keys[i], kPartitions) == p) expected.push_back(lines[i]);
    }
    EXPECT_EQ(seen[p], expected) << "partition " << p;
  }
  auto cat = testing::Run(LogArgs(dir, {"cat", "--count", "5"}));
  EXPECT_EQ(cat.exit_code, 0);
  EXPECT_EQ(std::count(cat.out.begin(), cat.out.end(), '\n'), 5);
}

TEST(LogProcessTest, SecondWriterProcessIsRefusedClearly) {
  TempDir tmp;
  const std::string dir = tmp.File("log");
  auto bus = OpenReader(dir);
  auto producer = bus->NewProducer("pins");  // this process is the writer
  ASSERT_TRUE(producer.ok());
  auto second = testing::Run(LogArgs(dir, {"produce"}), "{\"unique_id\":\"a\"}\n");
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("already being written by another process"), std::string::npos) << second.err;
}

// kill -9 of the writer in the middle of a large input, in a loop: the log
// verifies, and each partition holds a prefix of that partition's input,
// both as readers see it and after a new writer's recovery.
TEST(LogProcessTest, KillDashNineLeavesAPrefixOfEachPartition) {
  TempDir tmp;
  std::vector<std::string> keys, lines;
  testing::WriteFile(tmp.File("in.ndjson"), Input(30000, &keys, &lines));
  std::map<bus::PartitionId, std::vector<std::string>> expected;
  for (size_t i = 0; i < lines.size(); ++i) expected[bus::PartitionForKey(keys[i], kPartitions)].push_back(lines[i]);
  auto is_prefix = [&](const std::map<bus::PartitionId, std::vector<std::string>>& got, size_t* records) {
    *records = 0;
    for (const auto& [p, values] : got) {
      const auto& want = expected[p];
      if (values.size() > want.size() || !std::equal(values.begin(), values.end(), want.begin())) return false;
      *records += values.size();
    }
    return true;
  };
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string dir = tmp.File("log" + std::to_string(round));
    SpawnOptions spawn;
    spawn.stdin_path = tmp.File("in.ndjson");
    spawn.stderr_path = tmp.File("produce.err");
    auto writer = Subprocess::Start(LogArgs(dir, {"produce", "--batch", "100"}), spawn);
    ASSERT_TRUE(writer.has_value());
    // Kill it somewhere between 0.5 MB and ~10 MB into its 19 MB input.
    const uint64_t threshold = (512u << 10) + static_cast<uint64_t>(round) * (480u << 10);
    bool reached = testing::WaitFor([&] { return BytesUnder(dir) >= threshold || !writer->Running(); },
                                    std::chrono::seconds(60));
    ASSERT_TRUE(reached);
    writer->Signal(SIGKILL);
    EXPECT_EQ(writer->Wait(), 128 + SIGKILL) << "the writer finished before the kill; lower the threshold";

    auto verify = testing::Run(LogArgs(dir, {"verify"}));
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    size_t visible = 0;
    {
      auto bus = OpenReader(dir);  // a reader: sees the acknowledged records
      EXPECT_TRUE(is_prefix(ReadPartitions(*bus), &visible));
    }
    auto bus = OpenReader(dir);
    ASSERT_TRUE(bus->NewProducer("pins").ok());  // a new writer recovers the tails
    size_t recovered = 0;
    EXPECT_TRUE(is_prefix(ReadPartitions(*bus), &recovered));
    EXPECT_GE(recovered, visible);
    EXPECT_GT(recovered, 0u);
  }
}

}  // namespace
}  // namespace pinpipe
