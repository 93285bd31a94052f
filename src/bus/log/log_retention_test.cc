// Retention: whole old segments go by size or by age, never the active one;
// a reader left behind gets a clear kOutOfRange.
#include <gtest/gtest.h>

#include "bus/log/log_bus.h"
#include "bus/log/log_layout.h"
#include "bus/log/log_test_util.h"
#include "subprocess.h"

namespace pinpipe::bus::log {
namespace {

using ::pinpipe::testing::TempDir;
using namespace testutil;

void Fill(Producer& producer, int first, int count, UnixMicros timestamp) {
  std::vector<std::string> values;
  for (int i = first; i < first + count; ++i) values.push_back(Value(i, 700));
  std::vector<Message> batch;
  for (const std::string& v : values) batch.push_back({.key = "k", .value = v, .timestamp = timestamp});
  ASSERT_TRUE(AppendSync(producer, batch).ok());
}

size_t SegmentCount(const std::string& root) {
  return ListSegments(io::PosixFileSystem(), PartitionDir(TopicDir(root, "pins"), 0))->size();
}

TEST(LogRetentionTest, BySizeDeletesOldSegmentsAndALaggingReaderGetsOutOfRange) {
  TempDir tmp;
  LogOptions options = SmallLog(tmp.path(), 1);
  options.retention_bytes = 200 << 10;
  auto bus = MustOpen(options);
  auto producer = *bus->NewProducer("pins");
  Fill(*producer, 0, 1500, 1);  // ~1 MiB in 64 KiB segments
  auto reader = *bus->NewConsumer("pins");
  ASSERT_TRUE(reader->Assign({{0, 0}}).ok());
  auto first = reader->Poll(5, std::chrono::seconds(1));  // holds segment 0 open
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 5u);
  const size_t before = SegmentCount(tmp.path());

  ASSERT_TRUE(bus->RunRetention("pins").ok());

  EXPECT_LT(SegmentCount(tmp.path()), before);
  auto infos = *bus->DescribeTopic("pins");
  EXPECT_GT(infos[0].start_offset, 5);
  EXPECT_EQ(infos[0].end_offset, 1500);
  EXPECT_LE(infos[0].bytes, static_cast<uint64_t>(options.retention_bytes) + options.segment_bytes + 4096);
  auto lagging = reader->Poll(5, std::chrono::seconds(1));
  ASSERT_FALSE(lagging.ok());
  EXPECT_EQ(lagging.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(lagging.status().message().find("retention"), std::string::npos) << lagging.status().message();
  // Restarting from the new start works.
  ASSERT_TRUE(reader->Assign({{0, infos[0].start_offset}}).ok());
  auto resumed = reader->Poll(1, std::chrono::seconds(1));
  ASSERT_TRUE(resumed.ok());
  ASSERT_EQ(resumed->size(), 1u);
  EXPECT_EQ(resumed->front().offset, infos[0].start_offset);
}

TEST(LogRetentionTest, ByAgeUsesTheNewestRecordOfEachSegment) {
  TempDir tmp;
  const UnixMicros day0 = 1'700'000'000'000'000;
  ManualClock clock(day0);
  LogOptions options = SmallLog(tmp.path(), 1);
  options.clock = &clock;
  options.retention_ms = 24 * 3600 * 1000;
  auto bus = MustOpen(options);
  auto producer = *bus->NewProducer("pins");
  Fill(*producer, 0, 400, day0);                     // several old segments
  Fill(*producer, 400, 200, day0 + kMicrosPerDay);   // newer ones
  clock.Set(day0 + kMicrosPerDay + kMicrosPerHour);  // day-0 records are now older than a day
  ASSERT_TRUE(bus->RunRetention("pins").ok());
  auto infos = *bus->DescribeTopic("pins");
  EXPECT_GT(infos[0].start_offset, 300);  // the old segments went ...
  EXPECT_LE(infos[0].start_offset, 400);  // ... but not a segment holding a newer record
  clock.Set(day0 + 10 * kMicrosPerDay);
  ASSERT_TRUE(bus->RunRetention("pins").ok());
  infos = *bus->DescribeTopic("pins");
  EXPECT_EQ(SegmentCount(tmp.path()), 1u) << "the active segment always stays";
  EXPECT_EQ(infos[0].end_offset, 600);
}

TEST(LogRetentionTest, StartOffsetSurvivesReopenAndAppendsContinue) {
  TempDir tmp;
  LogOptions options = SmallLog(tmp.path(), 1);
  options.retention_bytes = 0;  // keep only the active segment
  Offset start = 0;
  {
    auto bus = MustOpen(options);
    auto producer = *bus->NewProducer("pins");
    Fill(*producer, 0, 500, 1);
    ASSERT_TRUE(bus->RunRetention("pins").ok());
    start = (*bus->DescribeTopic("pins"))[0].start_offset;
    EXPECT_GT(start, 0);
  }
  auto bus = MustOpen(options);
  auto infos = *bus->DescribeTopic("pins");
  EXPECT_EQ(infos[0].start_offset, start);
  auto producer = *bus->NewProducer("pins");
  auto pos = AppendSync(*producer, {{.key = "k", .value = "x", .timestamp = 1}});
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ((*pos)[0].offset, 500);
  auto records = ReadAll(*bus, "pins", static_cast<size_t>(501 - start));
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), static_cast<size_t>(501 - start));
}

TEST(LogRetentionTest, RunRetentionWithoutAWriterIsUnavailable) {
  TempDir tmp;
  auto bus = MustOpen(SmallLog(tmp.path(), 1));
  ASSERT_TRUE(bus->CreateTopic("pins", 1).ok());
  EXPECT_EQ(bus->RunRetention("pins").code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pinpipe::bus::log
