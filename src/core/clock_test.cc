#include "core/clock.h"

#include <gtest/gtest.h>

namespace pinpipe {
namespace {

TEST(ClockTest, FormatsMicrosecondsInUtc) {
  EXPECT_EQ(FormatRfc3339Micros(0), "1970-01-01T00:00:00.000000Z");
  auto t = ParseRfc3339Micros("2026-11-26T10:00:00.123456Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339Micros(*t), "2026-11-26T10:00:00.123456Z");
  EXPECT_EQ(FormatDate(*t), "2026-11-26");
}

TEST(ClockTest, BeforeEpochRoundsDown) {
  EXPECT_EQ(FormatRfc3339Micros(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(ClockTest, FormatsTheEdgesOfFourDigitYearsAndBeyond) {
  EXPECT_EQ(FormatRfc3339Micros(-62'167'219'200'000'000), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339Micros(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339Micros(253'402'300'800'000'000), "10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatRfc3339Micros(-62'167'219'200'000'001), "-001-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339Micros(1'795'000'000'123'456), "2026-11-18T11:06:40.123456Z");
}

TEST(ClockTest, ParsesOffsetsAndShortFractions) {
  EXPECT_EQ(*ParseRfc3339Micros("2026-11-26T12:00:00.5+02:00"),
            *ParseRfc3339Micros("2026-11-26T10:00:00.500000Z"));
  EXPECT_EQ(*ParseRfc3339Micros("2026-11-26T10:00:00Z") % kMicrosPerSecond, 0);
}

TEST(ClockTest, RejectsMalformedTimes) {
  for (const char* bad : {"", "2026-11-26", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-26T24:00:00Z", "2026-11-26T10:00:00", "2026-11-26T10:00:00.Z",
                          "2026-11-26T10:00:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339Micros(bad).ok()) << bad;
  }
}

TEST(ClockTest, ParsesDates) {
  EXPECT_EQ(*ParseDate("1970-01-02"), kMicrosPerDay);
  EXPECT_FALSE(ParseDate("2026-02-29").ok());
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
  EXPECT_FALSE(ParseDate("2026-1-01").ok());
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock(100);
  EXPECT_EQ(clock.NowMicros(), 100);
  clock.Advance(kMicrosPerHour);
  EXPECT_EQ(clock.NowMicros(), 100 + kMicrosPerHour);
  EXPECT_EQ(clock.MonotonicMicros(), clock.NowMicros());
}

}  // namespace
}  // namespace pinpipe
