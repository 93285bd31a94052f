#include "bus/log/record_format.h"

#include <gtest/gtest.h>

#include "bus/log/crc32c.h"
#include "bus/log/log_layout.h"
#include "bus/log/log_options.h"
#include "bus/log/offset_index.h"
#include "bus/log/topic_files.h"

namespace pinpipe::bus::log {
namespace {

// Known CRC-32C values (RFC 3720 appendix B.4 and the "123456789" check value).
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeAndExtendComposes) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 1000u}) {
    EXPECT_EQ(Crc32cExtend(0, data.data(), n), Crc32cExtendPortable(0, data.data(), n)) << n;
  }
  uint32_t split = Crc32cExtend(Crc32cExtend(0, data.data(), 333), data.data() + 333, 667);
  EXPECT_EQ(split, Crc32c(data));
}

TEST(RecordFormatTest, EncodeThenParseRoundTrips) {
  std::string buf;
  EncodeRecord(&buf, 42, 1'700'000'000'123'456, "key", std::string("va\0lue", 6));
  ASSERT_EQ(buf.size(), FramedSize(3, 6));
  RecordView rec;
  size_t needed = 0;
  std::string why;
  ASSERT_EQ(ParseRecord(buf, &rec, &needed, &why), ParseOutcome::kRecord);
  EXPECT_EQ(rec.offset, 42);
  EXPECT_EQ(rec.timestamp, 1'700'000'000'123'456);
  EXPECT_EQ(rec.key, "key");
  EXPECT_EQ(rec.value, std::string("va\0lue", 6));
  EXPECT_EQ(rec.size, buf.size());
}

TEST(RecordFormatTest, EveryPrefixNeedsMoreAndEveryBitFlipIsCaught) {
  std::string buf;
  EncodeRecord(&buf, 7, 9, "k", "hello world");
  RecordView rec;
  size_t needed = 0;
  std::string why;
  for (size_t n = 0; n < buf.size(); ++n) {
    EXPECT_EQ(ParseRecord(std::string_view(buf).substr(0, n), &rec, &needed, &why), ParseOutcome::kNeedMore) << n;
  }
  for (size_t bit = 0; bit < buf.size() * 8; ++bit) {
    std::string bad = buf;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_NE(ParseRecord(bad, &rec, &needed, &why), ParseOutcome::kRecord) << "bit " << bit;
  }
}

TEST(RecordFormatTest, LengthOutOfBoundsIsCorrupt) {
  std::string buf(64, '\0');
  RecordView rec;
  size_t needed = 0;
  std::string why;
  EXPECT_EQ(ParseRecord(buf, &rec, &needed, &why), ParseOutcome::kCorrupt);
  EXPECT_NE(why.find("length"), std::string::npos);
}

TEST(RecordFormatTest, SegmentHeaderChecksMagicVersionAndBase) {
  std::string h = EncodeSegmentHeader(1234);
  EXPECT_EQ(h.size(), kSegmentHeaderSize);
  EXPECT_EQ(h.substr(0, 4), "PPLG");
  EXPECT_TRUE(CheckSegmentHeader(h, 1234, "f").ok());
  EXPECT_EQ(CheckSegmentHeader(h, 1, "f").code(), StatusCode::kCorruption);
  EXPECT_EQ(CheckSegmentHeader(h.substr(0, 10), 1234, "f").code(), StatusCode::kCorruption);
  std::string bad = h;
  bad[0] = 'X';
  EXPECT_EQ(CheckSegmentHeader(bad, 1234, "f").code(), StatusCode::kCorruption);
}

TEST(OffsetIndexTest, ParseStopsAtTornAndOutOfOrderEntries) {
  std::string idx;
  AppendIndexEntry(&idx, {10, 1000, 5});
  AppendIndexEntry(&idx, {20, 2000, 6});
  AppendIndexEntry(&idx, {15, 3000, 7});  // out of order
  EXPECT_EQ(ParseIndex(idx, 1 << 20).size(), 2u);
  EXPECT_EQ(ParseIndex(idx.substr(0, 20), 1 << 20).size(), 1u);  // torn second entry
  EXPECT_EQ(ParseIndex(idx, 1500).size(), 1u);                   // points past the segment
  auto entries = ParseIndex(idx, 1 << 20);
  EXPECT_FALSE(FindIndexEntry(entries, 9).has_value());
  EXPECT_EQ(FindIndexEntry(entries, 10)->position, 1000u);
  EXPECT_EQ(FindIndexEntry(entries, 19)->position, 1000u);
  EXPECT_EQ(FindIndexEntry(entries, 99)->position, 2000u);
}

TEST(LogLayoutTest, SegmentNamesRoundTrip) {
  EXPECT_EQ(SegmentFileName(42), "00000000000000000042.log");
  EXPECT_EQ(IndexFileName(42), "00000000000000000042.index");
  EXPECT_EQ(ParseSegmentFileName("00000000000000000042.log"), 42);
  EXPECT_FALSE(ParseSegmentFileName("00000000000000000042.index").has_value());
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.log").has_value());
  EXPECT_FALSE(ParseSegmentFileName("99999999999999999999.log").has_value());
  EXPECT_EQ(PartitionDir("/d/pins", 3), "/d/pins/p3");
  EXPECT_TRUE(ValidateTopicName("pins.v2_x-y").ok());
  EXPECT_FALSE(ValidateTopicName("..").ok());
  EXPECT_FALSE(ValidateTopicName("a b").ok());
  EXPECT_FALSE(ValidateTopicName("").ok());
}

TEST(TopicFilesTest, WatermarksRoundTripAndRejectDamage) {
  std::vector<Watermark> marks = {{0, 10}, {5, 7}};
  std::string bytes = EncodeWatermarks(marks);
  auto back = DecodeWatermarks(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, marks);
  EXPECT_FALSE(DecodeWatermarks(bytes.substr(0, bytes.size() - 1)).ok());
  bytes[9] ^= 1;
  EXPECT_EQ(DecodeWatermarks(bytes).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(DecodeWatermarks("").ok());
}

TEST(TopicFilesTest, MetaRoundTripsAndRejectsJunk) {
  auto meta = DecodeTopicMeta(EncodeTopicMeta({.partitions = 12}), "m");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->partitions, 12);
  EXPECT_EQ(DecodeTopicMeta("partitions=3\n", "m").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTopicMeta("format=1\npartitions=0\n", "m").status().code(), StatusCode::kCorruption);
}

TEST(SyncPolicyTest, ParsesTheThreeForms) {
  EXPECT_EQ(ParseSyncPolicy("always")->mode, SyncPolicy::Mode::kAlways);
  EXPECT_EQ(ParseSyncPolicy("never")->mode, SyncPolicy::Mode::kNever);
  auto interval = ParseSyncPolicy("interval-ms=250");
  ASSERT_TRUE(interval.ok());
  EXPECT_EQ(interval->interval_ms, 250);
  EXPECT_EQ(SyncPolicyName(*interval), "interval-ms=250");
  for (const char* bad : {"", "interval-ms=", "interval-ms=0", "interval-ms=5x", "ALWAYS"}) {
    EXPECT_EQ(ParseSyncPolicy(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace pinpipe::bus::log
