// Recovery on open: a torn or corrupt tail is cut; damage in the middle is
// reported with file and byte position and never silently cut.
#include <gtest/gtest.h>

#include "bus/log/log_bus.h"
#include "bus/log/log_layout.h"
#include "bus/log/log_test_util.h"
#include "bus/log/log_verify.h"
#include "bus/log/record_format.h"
#include "subprocess.h"

namespace pinpipe::bus::log {
namespace {

using ::pinpipe::testing::ReadFile;
using ::pinpipe::testing::TempDir;
using ::pinpipe::testing::WriteFile;
using namespace testutil;

constexpr int kRecords = 5;

class LogRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bus = MustOpen(SmallLog(tmp_.path(), 1));
    auto producer = *bus->NewProducer("pins");
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_TRUE(AppendSync(*producer, {{.key = "key", .value = Value(i, 40), .timestamp = 100 + i}}).ok());
    }
    segment_ = io::JoinPath(PartitionDir(TopicDir(tmp_.path(), "pins"), 0), SegmentFileName(0));
    bytes_ = ReadFile(segment_);
    record_size_ = FramedSize(3, Value(0, 40).size());
    ASSERT_EQ(bytes_.size(), kSegmentHeaderSize + kRecords * record_size_);
  }
  size_t RecordStart(int i) const { return kSegmentHeaderSize + static_cast<size_t>(i) * record_size_; }

  TempDir tmp_;
  std::string segment_;
  std::string bytes_;
  size_t record_size_ = 0;
};

TEST_F(LogRecoveryTest, TornTailAtEveryBytePositionOfTheLastRecordIsCut) {
  for (size_t keep = RecordStart(kRecords - 1); keep < bytes_.size(); ++keep) {
    SCOPED_TRACE("segment cut to " + std::to_string(keep) + " bytes");
    WriteFile(segment_, bytes_.substr(0, keep));
    auto report = VerifyTopic(io::PosixFileSystem(), tmp_.path(), "pins");
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << "a torn tail is not corruption";
    auto bus = MustOpen(SmallLog(tmp_.path(), 1));
    auto producer = bus->NewProducer("pins");
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    auto records = ReadAll(*bus, "pins", kRecords - 1, std::chrono::milliseconds(500));
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), static_cast<size_t>(kRecords - 1));
    for (int i = 0; i < kRecords - 1; ++i) EXPECT_EQ((*records)[static_cast<size_t>(i)].value, Value(i, 40));
    auto pos = AppendSync(**producer, {{.key = "key", .value = "next", .timestamp = 1}});
    ASSERT_TRUE(pos.ok());
    EXPECT_EQ((*pos)[0].offset, kRecords - 1);
  }
}

TEST_F(LogRecoveryTest, CorruptLastRecordIsCut) {
  std::string damaged = bytes_;
  damaged[RecordStart(kRecords - 1) + 30] ^= 0x10;
  WriteFile(segment_, damaged);
  auto bus = MustOpen(SmallLog(tmp_.path(), 1));
  ASSERT_TRUE(bus->NewProducer("pins").ok());
  auto infos = bus->DescribeTopic("pins");
  ASSERT_TRUE(infos.ok());
  EXPECT_EQ((*infos)[0].end_offset, kRecords - 1);
}

TEST_F(LogRecoveryTest, ZeroFilledTailIsCut) {
  WriteFile(segment_, bytes_ + std::string(300, '\0'));
  auto report = VerifyTopic(io::PosixFileSystem(), tmp_.path(), "pins");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  auto bus = MustOpen(SmallLog(tmp_.path(), 1));
  ASSERT_TRUE(bus->NewProducer("pins").ok());
  EXPECT_EQ(ReadFile(segment_), bytes_);
}

TEST_F(LogRecoveryTest, FlippedBitInAMiddleRecordIsReportedWithItsPosition) {
  std::string damaged = bytes_;
  const size_t bad = RecordStart(2);
  damaged[bad + kRecordHeaderSize + 5] ^= 0x01;  // inside record 2's value
  WriteFile(segment_, damaged);
  const std::string where = "position " + std::to_string(bad);

  auto report = VerifyTopic(io::PosixFileSystem(), tmp_.path(), "pins");
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  ASSERT_FALSE(report->issues.empty());
  EXPECT_EQ(report->issues[0].file, segment_);
  EXPECT_EQ(report->issues[0].position, bad);
  EXPECT_NE(report->issues[0].problem.find("checksum"), std::string::npos);

  auto bus = MustOpen(SmallLog(tmp_.path(), 1));
  auto producer = bus->NewProducer("pins");
  ASSERT_FALSE(producer.ok()) << "the writer must not cut acknowledged records";
  EXPECT_EQ(producer.status().code(), StatusCode::kCorruption);
  EXPECT_NE(producer.status().message().find(where), std::string::npos) << producer.status().message();
  EXPECT_EQ(ReadFile(segment_), damaged);

  // A reader gets the good records, then a clear error naming the place.
  auto consumer = *bus->NewConsumer("pins");
  ASSERT_TRUE(consumer->Assign({{0, 0}}).ok());
  auto first = consumer->Poll(10, std::chrono::seconds(1));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 2u);
  auto second = consumer->Poll(10, std::chrono::seconds(1));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kCorruption);
  EXPECT_NE(second.status().message().find(segment_ + " " + where), std::string::npos) << second.status().message();
}

TEST_F(LogRecoveryTest, DamagedIndexIsOnlyAHint) {
  // Fill a few segments so sealed segments have indexes, then garble them.
  {
    auto bus = MustOpen(SmallLog(tmp_.path(), 1));
    auto producer = *bus->NewProducer("pins");
    std::vector<std::string> values;
    for (int i = kRecords; i < 400; ++i) values.push_back(Value(i, 700));
    std::vector<Message> batch;
    for (const std::string& v : values) batch.push_back({.key = "key", .value = v, .timestamp = 1});
    ASSERT_TRUE(AppendSync(*producer, batch).ok());
  }
  std::string pdir = PartitionDir(TopicDir(tmp_.path(), "pins"), 0);
  auto bases = *ListSegments(io::PosixFileSystem(), pdir);
  ASSERT_GE(bases.size(), 3u);
  for (Offset base : bases) WriteFile(io::JoinPath(pdir, IndexFileName(base)), std::string(64, '\x07'));
  auto bus = MustOpen(SmallLog(tmp_.path(), 1));
  ASSERT_TRUE(bus->NewProducer("pins").ok());
  auto consumer = *bus->NewConsumer("pins");
  for (Offset from : {Offset{3}, bases[1] + 7, bases[2] + 1}) {
    ASSERT_TRUE(consumer->Assign({{0, from}}).ok());
    auto got = consumer->Poll(1, std::chrono::seconds(1));
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->front().offset, from);
  }
}

TEST_F(LogRecoveryTest, SegmentWithIncompleteHeaderIsRecreated) {
  std::string pdir = PartitionDir(TopicDir(tmp_.path(), "pins"), 0);
  // A roll whose new segment's header never reached the disk.
  WriteFile(io::JoinPath(pdir, SegmentFileName(kRecords)), std::string("PPL", 3));
  auto bus = MustOpen(SmallLog(tmp_.path(), 1));
  auto producer = bus->NewProducer("pins");
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto pos = AppendSync(**producer, {{.key = "key", .value = "after", .timestamp = 1}});
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ((*pos)[0].offset, kRecords);
  auto records = ReadAll(*bus, "pins", kRecords + 1);
  ASSERT_EQ(records->size(), static_cast<size_t>(kRecords + 1));
}

}  // namespace
}  // namespace pinpipe::bus::log
