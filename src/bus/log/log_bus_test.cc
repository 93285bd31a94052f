#include "bus/log/log_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "bus/log/log_layout.h"
#include "bus/log/log_test_util.h"
#include "subprocess.h"

namespace pinpipe::bus::log {
namespace {

using ::pinpipe::testing::TempDir;
using namespace testutil;

std::vector<Message> Keyed(int first, int count, std::vector<std::string>* storage) {
  storage->clear();
  storage->reserve(static_cast<size_t>(count) * 2);
  std::vector<Message> out;
  for (int i = first; i < first + count; ++i) {
    storage->push_back("key-" + std::to_string(i % 17));
    storage->push_back(Value(i));
  }
  for (size_t i = 0; i < storage->size(); i += 2) {
    out.push_back({.key = (*storage)[i], .value = (*storage)[i + 1], .timestamp = 1000 + static_cast<int>(i)});
  }
  return out;
}

TEST(LogBusTest, AppendedRecordsReadBackAtTheirPositions) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path()));
  auto producer = bus->NewProducer("pins");
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  std::vector<std::string> storage;
  auto messages = Keyed(0, 100, &storage);
  auto positions = AppendSync(**producer, messages);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  ASSERT_EQ(positions->size(), 100u);
  auto records = ReadAll(*bus, "pins", 100);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 100u);
  std::map<std::pair<PartitionId, Offset>, const Record*> by_position;
  for (const Record& r : *records) by_position[{r.partition, r.offset}] = &r;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Position& pos = (*positions)[i];
    EXPECT_EQ(pos.partition, PartitionForKey(messages[i].key, 4));
    const Record* r = by_position[{pos.partition, pos.offset}];
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->key, messages[i].key);
    EXPECT_EQ(r->value, messages[i].value);
    EXPECT_EQ(r->timestamp, messages[i].timestamp);
  }
}

TEST(LogBusTest, OffsetsAreDenseAndOrderedPerPartition) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 3));
  auto producer = *bus->NewProducer("pins");
  std::vector<std::string> storage;
  for (int batch = 0; batch < 10; ++batch) ASSERT_TRUE(AppendSync(*producer, Keyed(batch * 50, 50, &storage)).ok());
  auto records = ReadAll(*bus, "pins", 500);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 500u);
  std::map<PartitionId, Offset> next;
  for (const Record& r : *records) EXPECT_EQ(r.offset, next[r.partition]++) << "partition " << r.partition;
  auto infos = bus->DescribeTopic("pins");
  ASSERT_TRUE(infos.ok());
  Offset total = 0;
  for (const PartitionInfo& info : *infos) {
    EXPECT_EQ(info.end_offset, next[info.partition]);
    EXPECT_GT(info.bytes, 0u);
    total += info.end_offset;
  }
  EXPECT_EQ(total, 500);
}

TEST(LogBusTest, EmptyKeyGoesToPartitionZeroAndZeroTimestampIsStamped) {
  TempDir tmp;
  ManualClock clock(1'700'000'000'000'000);
  LogOptions options = SmallLog(tmp.path());
  options.clock = &clock;
  auto bus = MustOpen(options);
  auto producer = *bus->NewProducer("pins");
  auto pos = AppendSync(*producer, {{.key = "", .value = "v", .timestamp = 0}});
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ((*pos)[0], (Position{0, 0}));
  auto records = ReadAll(*bus, "pins", 1);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].timestamp, 1'700'000'000'000'000);
}

TEST(LogBusTest, EmptyAppendCallsBackWithNoPositions) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path()));
  auto producer = *bus->NewProducer("pins");
  auto pos = AppendSync(*producer, {});
  ASSERT_TRUE(pos.ok());
  EXPECT_TRUE(pos->empty());
}

TEST(LogBusTest, SecondWriterGetsAClearError) {
  TempDir tmp;
  auto first = MustOpen(SmallLog(tmp.path()));
  auto second = MustOpen(SmallLog(tmp.path()));
  auto p1 = first->NewProducer("pins");
  ASSERT_TRUE(p1.ok());
  auto p2 = second->NewProducer("pins");
  ASSERT_FALSE(p2.ok());
  EXPECT_EQ(p2.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(p2.status().message().find("one writer process"), std::string::npos) << p2.status().message();
  // The same bus shares its writer between producers.
  EXPECT_TRUE(first->NewProducer("pins").ok());
  // Once the first writer is gone the second may write.
  p1->reset();
  first.reset();
  EXPECT_TRUE(second->NewProducer("pins").ok());
}

TEST(LogBusTest, CreateTopicChecksThePartitionCount) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path()));
  ASSERT_TRUE(bus->CreateTopic("events", 6).ok());
  EXPECT_TRUE(bus->CreateTopic("events", 6).ok());
  EXPECT_EQ(bus->CreateTopic("events", 2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(bus->CreateTopic("bad/name", 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bus->CreateTopic("zero", 0).code(), StatusCode::kInvalidArgument);
  auto infos = bus->DescribeTopic("events");
  ASSERT_TRUE(infos.ok());
  EXPECT_EQ(infos->size(), 6u);
  EXPECT_EQ(bus->DescribeTopic("missing").status().code(), StatusCode::kNotFound);
}

TEST(LogBusTest, ReopenContinuesOffsets) {
  TempDir tmp;
  std::vector<std::string> storage;
  {
    auto bus = MustOpen(SmallLog(tmp.path(), 1));
    auto producer = *bus->NewProducer("pins");
    ASSERT_TRUE(AppendSync(*producer, Keyed(0, 10, &storage)).ok());
  }
  auto bus = MustOpen(SmallLog(tmp.path(), 1));
  auto producer = *bus->NewProducer("pins");
  auto pos = AppendSync(*producer, Keyed(10, 1, &storage));
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ((*pos)[0].offset, 10);
  auto records = ReadAll(*bus, "pins", 11);
  ASSERT_EQ(records->size(), 11u);
  EXPECT_EQ((*records)[10].value, Value(10));
}

TEST(LogBusTest, SegmentsRollAndEveryOffsetIsSeekable) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 1));
  auto producer = *bus->NewProducer("pins");
  std::vector<std::string> values;
  for (int i = 0; i < 600; ++i) values.push_back(Value(i, 640));
  for (int i = 0; i < 600; i += 20) {
    std::vector<Message> batch;
    for (int j = i; j < i + 20; ++j) batch.push_back({.key = "k", .value = values[j], .timestamp = 1});
    ASSERT_TRUE(AppendSync(*producer, batch).ok());
  }
  auto segments = ListSegments(io::PosixFileSystem(), PartitionDir(TopicDir(tmp.path(), "pins"), 0));
  ASSERT_TRUE(segments.ok());
  EXPECT_GE(segments->size(), 5u);  // 600 * ~670 bytes over 64 KiB segments
  auto consumer = *bus->NewConsumer("pins");
  for (Offset from : {0, 1, 97, 98, 99, 100, 101, 250, 599}) {
    ASSERT_TRUE(consumer->Assign({{0, from}}).ok());
    auto got = consumer->Poll(3, std::chrono::seconds(5));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_FALSE(got->empty());
    EXPECT_EQ(got->front().offset, from);
    EXPECT_EQ(got->front().value, values[static_cast<size_t>(from)]);
  }
}

TEST(LogBusTest, OffsetBeyondEndIsOutOfRange) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 1));
  auto producer = *bus->NewProducer("pins");
  std::vector<std::string> storage;
  ASSERT_TRUE(AppendSync(*producer, Keyed(0, 5, &storage)).ok());
  auto consumer = *bus->NewConsumer("pins");
  ASSERT_TRUE(consumer->Assign({{0, 5}}).ok());
  auto at_end = consumer->Poll(10, std::chrono::milliseconds(1));
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->empty());
  ASSERT_TRUE(consumer->Assign({{0, 6}}).ok());
  auto beyond = consumer->Poll(10, std::chrono::milliseconds(1));
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(consumer->Assign({{3, 0}}).code(), StatusCode::kInvalidArgument);
}

TEST(LogBusTest, WaitingConsumerWakesOnAppend) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 1));
  auto producer = *bus->NewProducer("pins");
  auto consumer = *bus->NewConsumer("pins");
  ASSERT_TRUE(consumer->Assign({{0, 0}}).ok());
  auto poll = std::async(std::launch::async, [&] { return consumer->Poll(10, std::chrono::seconds(30)); });
  std::vector<std::string> storage;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(AppendSync(*producer, Keyed(0, 1, &storage)).ok());
  auto got = poll.get();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(LogBusTest, ReaderWithoutTheWriterSeesRecordsThroughTheWatermarksFile) {
  TempDir tmp;
  auto writer_bus = MustOpen(SmallLog(tmp.path(), 2));
  auto producer = *writer_bus->NewProducer("pins");
  auto reader_bus = MustOpen(SmallLog(tmp.path(), 2));  // as another process would
  auto consumer = *reader_bus->NewConsumer("pins");
  ASSERT_TRUE(consumer->Assign({{0, 0}, {1, 0}}).ok());
  std::vector<std::string> storage;
  ASSERT_TRUE(AppendSync(*producer, Keyed(0, 40, &storage)).ok());
  size_t seen = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen < 40 && std::chrono::steady_clock::now() < until) {
    auto got = consumer->Poll(100, std::chrono::milliseconds(200));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    seen += got->size();
  }
  EXPECT_EQ(seen, 40u);
}

TEST(LogBusTest, FlushWaitsForEveryAppend) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path()));
  auto producer = *bus->NewProducer("pins");
  std::atomic<int> called{0};
  std::vector<std::string> storage;
  auto messages = Keyed(0, 10, &storage);
  for (int i = 0; i < 50; ++i) {
    producer->Append(messages, [&](Result<std::vector<Position>> r) {
      EXPECT_TRUE(r.ok());
      called.fetch_add(1);
    });
  }
  ASSERT_TRUE(producer->Flush(std::chrono::seconds(30)).ok());
  EXPECT_EQ(called.load(), 50);
}

TEST(LogBusTest, OverloadedWriterAnswersResourceExhausted) {
  TempDir tmp;
  LogOptions options = SmallLog(tmp.path(), 1);
  options.max_pending_bytes = 1000;
  auto bus = MustOpen(options);
  auto producer = *bus->NewProducer("pins");
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::string big(800, 'x');
  // The first append's callback holds the commit thread, so its bytes stay pending.
  producer->Append(std::vector<Message>{{.key = "k", .value = big, .timestamp = 1}},
                   [&, released](Result<std::vector<Position>> r) {
                     EXPECT_TRUE(r.ok());
                     entered.set_value();
                     released.wait();
                   });
  entered.get_future().wait();
  std::promise<Status> second;
  producer->Append(std::vector<Message>{{.key = "k", .value = big, .timestamp = 1}},
                   [&](Result<std::vector<Position>> r) { second.set_value(r.status()); });
  release.set_value();
  Status st = second.get_future().get();
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_NE(st.message().find("retry"), std::string::npos);
  // Once drained, appends are accepted again.
  EXPECT_TRUE(AppendSync(*producer, {{.key = "k", .value = big, .timestamp = 1}}).ok());
}

TEST(LogBusTest, EverySyncPolicyAcknowledgesAndReads) {
  for (const char* policy : {"always", "interval-ms=5", "never"}) {
    TempDir tmp;
    LogOptions options = SmallLog(tmp.path(), 2);
    options.sync = *ParseSyncPolicy(policy);
    auto bus = MustOpen(options);
    auto producer = *bus->NewProducer("pins");
    std::vector<std::string> storage;
    ASSERT_TRUE(AppendSync(*producer, Keyed(0, 30, &storage)).ok()) << policy;
    auto records = ReadAll(*bus, "pins", 30);
    ASSERT_TRUE(records.ok());
    EXPECT_EQ(records->size(), 30u) << policy;
  }
}

TEST(LogBusTest, ConsumerCreatesAMissingTopic) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 5));
  auto consumer = bus->NewConsumer("later");
  ASSERT_TRUE(consumer.ok());
  auto infos = bus->DescribeTopic("later");
  ASSERT_TRUE(infos.ok());
  EXPECT_EQ(infos->size(), 5u);
}

}  // namespace
}  // namespace pinpipe::bus::log
