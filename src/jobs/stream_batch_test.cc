// StreamBatch: cleaning into rows or dead letters, in-batch dedupe by the
// newer-wins order, and the positions a batch moves to.
#include "jobs/stream_batch.h"

#include <gtest/gtest.h>

namespace pinpipe::jobs {
namespace {

constexpr char kUid[] = "0f3d1a4e-9c2b-4d8e-a1f0-123456789abc";

bus::Record Rec(bus::PartitionId p, bus::Offset o, UnixMicros ts, std::string value) {
  return {.partition = p, .offset = o, .timestamp = ts, .key = kUid, .value = std::move(value)};
}

std::string Pin(const std::string& title, const std::string& uid = kUid) {
  return R"({"unique_id":")" + uid + R"(","title":")" + title + R"("})";
}

TEST(StreamBatchTest, CleanRecordsBecomeRowsWithTheBusTimestamp) {
  pin::Cleaner cleaner;
  StreamBatch batch({});
  batch.Add(Rec(0, 5, 777, Pin("  hello ")), &cleaner);
  ASSERT_EQ(batch.rows().size(), 1u);
  EXPECT_EQ(batch.rows()[0].record.title, "hello");
  EXPECT_EQ(batch.rows()[0].record.ingested_at, 777);
  EXPECT_EQ(batch.rows()[0].position, (bus::Position{0, 5}));
  EXPECT_EQ(batch.next(), (sinks::PositionMap{{0, 6}}));
  EXPECT_TRUE(batch.dead().empty());
}

TEST(StreamBatchTest, BadRecordsBecomeDeadLettersWithTheirRawBytes) {
  pin::Cleaner cleaner;
  StreamBatch batch({});
  batch.Add(Rec(1, 0, 9, "not json"), &cleaner);
  batch.Add(Rec(1, 1, 9, R"({"unique_id":"nope"})"), &cleaner);
  ASSERT_EQ(batch.dead().size(), 2u);
  EXPECT_EQ(batch.dead()[0].rejection.reason, pin::RejectReason::kInvalidJson);
  EXPECT_EQ(batch.dead()[0].raw, "not json");
  EXPECT_EQ(batch.dead()[0].ingested_at, 9);
  EXPECT_EQ(batch.dead()[1].position, (bus::Position{1, 1}));
  EXPECT_EQ(batch.rejects()[static_cast<int>(pin::RejectReason::kInvalidUniqueId)], 1);
  EXPECT_EQ(batch.next(), (sinks::PositionMap{{1, 2}}));
  EXPECT_EQ(batch.records(), 2u);
}

TEST(StreamBatchTest, OnlyTheNewestVersionOfAUniqueIdIsKept) {
  pin::Cleaner cleaner;
  StreamBatch batch({});
  batch.Add(Rec(0, 0, 100, Pin("first")), &cleaner);
  batch.Add(Rec(0, 1, 300, Pin("newest")), &cleaner);
  batch.Add(Rec(0, 2, 200, Pin("older, later offset")), &cleaner);
  ASSERT_EQ(batch.rows().size(), 1u);
  EXPECT_EQ(batch.rows()[0].record.title, "newest");
  EXPECT_EQ(batch.collapsed(), 2u);
  EXPECT_EQ(batch.next(), (sinks::PositionMap{{0, 3}}));
}

TEST(StreamBatchTest, SameTimestampIsDecidedByPartitionThenOffset) {
  pin::Cleaner cleaner;
  StreamBatch batch({});
  batch.Add(Rec(2, 0, 100, Pin("p2")), &cleaner);
  batch.Add(Rec(1, 9, 100, Pin("p1")), &cleaner);
  ASSERT_EQ(batch.rows().size(), 1u);
  EXPECT_EQ(batch.rows()[0].record.title, "p2");
}

TEST(StreamBatchTest, PositionsAfterLayNextOverFrom) {
  pin::Cleaner cleaner;
  StreamBatch batch({{0, 10}, {1, 20}});
  batch.Add(Rec(1, 20, 1, Pin("x")), &cleaner);
  batch.Add(Rec(3, 0, 1, Pin("y", "1f3d1a4e-9c2b-4d8e-a1f0-123456789abc")), &cleaner);
  EXPECT_EQ(batch.PositionsAfter(), (sinks::PositionMap{{0, 10}, {1, 21}, {3, 1}}));
  sinks::LiveBatch view = batch.View("pins");
  EXPECT_EQ(view.topic, "pins");
  EXPECT_EQ(*view.from, (sinks::PositionMap{{0, 10}, {1, 20}}));
  EXPECT_EQ(view.rows.size(), 2u);
}

}  // namespace
}  // namespace pinpipe::jobs
