#include "lake/key_layout.h"

#include <gtest/gtest.h>
#include "test_time.h"

namespace pinpipe::lake {
namespace {

using testing::At;

TEST(KeyLayoutTest, RawObjectKeyRoundTrips) {
  RawObjectKey key{LakeHour::Of(At("2026-11-26T10:59:59.999999Z")), 3, 17, 1234};
  std::string text = RawObjectKeyString("pins", key);
  EXPECT_EQ(text, "raw/pins/dt=2026-11-26/hr=10/p=3/17-1234.ndjson.zst");
  auto parsed = ParseRawObjectKey("pins", text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, key);
}

TEST(KeyLayoutTest, SuccessAndCleanKeys) {
  LakeHour hour = LakeHour::Of(At("2026-01-02T03:04:05Z"));
  EXPECT_EQ(RawSuccessKey("pins", hour), "raw/pins/dt=2026-01-02/hr=03/_SUCCESS");
  EXPECT_EQ(ParseRawSuccessKey("pins", "raw/pins/dt=2026-01-02/hr=03/_SUCCESS"), hour);
  EXPECT_EQ(CleanPartKey("pins", "2026-01-02", 7), "clean/pins/dt=2026-01-02/part-0007.ndjson.zst");
  EXPECT_EQ(ParseCleanPartKey("pins", "2026-01-02", "clean/pins/dt=2026-01-02/part-0007.ndjson.zst"), 7);
  EXPECT_EQ(CleanSuccessKey("pins", "2026-01-02"), "clean/pins/dt=2026-01-02/_SUCCESS");
  EXPECT_EQ(RawDatePrefix("pins", "2026-01-02"), "raw/pins/dt=2026-01-02/");
}

TEST(KeyLayoutTest, NonCanonicalKeysAreNotData) {
  for (const char* key : {
           "raw/pins/dt=2026-11-26/hr=10/p=3/17-12.ndjson.zst",      // last < first
           "raw/pins/dt=2026-11-26/hr=10/p=3/017-20.ndjson.zst",     // leading zero
           "raw/pins/dt=2026-11-26/hr=24/p=3/1-2.ndjson.zst",        // no hour 24
           "raw/pins/dt=2026-02-30/hr=10/p=3/1-2.ndjson.zst",        // no such date
           "raw/pins/dt=2026-11-26/hr=10/p=3/1-2.ndjson",            // wrong suffix
           "raw/pins/dt=2026-11-26/hr=10/p=3/1-2.ndjson.zst.bak",
           "raw/pins/dt=2026-11-26/hr=10/p=-1/1-2.ndjson.zst",
           "raw/pins/dt=2026-11-26/hr=10/p=-0/1-2.ndjson.zst",        // signed zero (found by fuzz_time_text)
           "raw/pins/dt=2026-01-26/hr=05/p=3/0--0.ndjson.zst",
           "raw/pins/dt=2026-11-26/hr=10/p=3/+1-2.ndjson.zst",
           "raw/other/dt=2026-11-26/hr=10/p=3/1-2.ndjson.zst",
           "raw/pins/dt=2026-11-26/hr=10/_SUCCESS",
       }) {
    EXPECT_FALSE(ParseRawObjectKey("pins", key).has_value()) << key;
  }
  EXPECT_FALSE(ParseRawSuccessKey("pins", "raw/pins/dt=2026-11-26/hr=10/p=1/_SUCCESS").has_value());
  EXPECT_FALSE(ParseCleanPartKey("pins", "2026-01-02", "clean/pins/dt=2026-01-02/part-7.ndjson.zst"));
}

TEST(KeyLayoutTest, HoursBeforeTheEpochFloor) {
  LakeHour h = LakeHour::Of(-1);
  EXPECT_EQ(h.start, -kMicrosPerHour);
  EXPECT_EQ(h.Hour(), 23);
  EXPECT_EQ(h.Date(), "1969-12-31");
}

TEST(KeyLayoutTest, DatasetNames) {
  EXPECT_TRUE(IsValidDatasetName("pins"));
  EXPECT_TRUE(IsValidDatasetName("pins_v2-x"));
  EXPECT_FALSE(IsValidDatasetName(""));
  EXPECT_FALSE(IsValidDatasetName("Pins"));
  EXPECT_FALSE(IsValidDatasetName("a/b"));
}

}  // namespace
}  // namespace pinpipe::lake
