// Many threads at once: concurrent producers keep per-key order, and several
// reader threads (in-process and "other process" style) see every record.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bus/log/log_bus.h"
#include "bus/log/log_test_util.h"
#include "subprocess.h"

namespace pinpipe::bus::log {
namespace {

using ::pinpipe::testing::TempDir;
using namespace testutil;

constexpr int kWriters = 4;
constexpr int kPerWriter = 600;
constexpr int kKeysPerWriter = 7;

// value = "<writer>:<key>:<seq>" with seq increasing per key.
void CheckRecords(const std::vector<Record>& records) {
  std::map<std::string, int> last_seq;
  std::map<PartitionId, Offset> next;
  for (const Record& r : records) {
    EXPECT_EQ(r.offset, next[r.partition]++);
    size_t colon = r.value.rfind(':');
    int seq = std::stoi(r.value.substr(colon + 1));
    auto [it, fresh] = last_seq.emplace(r.key, seq);
    if (!fresh) {
      EXPECT_GT(seq, it->second) << "key " << r.key << " out of order";
      it->second = seq;
    }
  }
}

void Consume(Bus& bus, std::vector<Record>* out, std::atomic<bool>* failed) {
  auto consumer = *bus.NewConsumer("pins");
  std::map<PartitionId, Offset> from;
  for (PartitionId p = 0; p < 4; ++p) from[p] = 0;
  if (!consumer->Assign(from).ok()) failed->store(true);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (out->size() < kWriters * kPerWriter && std::chrono::steady_clock::now() < until) {
    auto got = consumer->Poll(97, std::chrono::milliseconds(100));
    if (!got.ok()) {
      failed->store(true);
      return;
    }
    for (Record& r : *got) out->push_back(std::move(r));
  }
}

TEST(LogConcurrencyTest, ConcurrentWritersAndReadersSeeEveryRecordInKeyOrder) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 4));
  auto other_process = MustOpen(SmallLog(tmp.path(), 4));  // reads through the files only
  auto producer = *bus->NewProducer("pins");
  std::atomic<bool> failed{false};
  std::vector<std::vector<Record>> seen(4);
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    Bus& via = r < 2 ? static_cast<Bus&>(*bus) : static_cast<Bus&>(*other_process);
    readers.emplace_back([&, r, &via = via] { Consume(via, &seen[static_cast<size_t>(r)], &failed); });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; i += 3) {  // async appends of 3, not waiting in between
        std::vector<std::string> keys, values;
        for (int j = i; j < i + 3; ++j) {
          keys.push_back("w" + std::to_string(w) + "-k" + std::to_string(j % kKeysPerWriter));
          values.push_back(keys.back() + ":" + std::to_string(j));
        }
        std::vector<Message> batch;
        for (size_t j = 0; j < keys.size(); ++j) batch.push_back({.key = keys[j], .value = values[j], .timestamp = 1});
        producer->Append(batch, [&failed](Result<std::vector<Position>> r) {
          if (!r.ok()) failed.store(true);
        });
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_TRUE(producer->Flush(std::chrono::seconds(60)).ok());
  for (auto& t : readers) t.join();
  EXPECT_FALSE(failed.load());
  for (const auto& records : seen) {
    ASSERT_EQ(records.size(), static_cast<size_t>(kWriters * kPerWriter));
    // Each reader's stream, split by partition, is the partition in order.
    std::map<PartitionId, std::vector<Record>> by_partition;
    for (const Record& r : records) by_partition[r.partition].push_back(r);
    for (auto& [p, list] : by_partition) CheckRecords(list);
  }
}

}  // namespace
}  // namespace pinpipe::bus::log
