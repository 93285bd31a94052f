#include "schedule/cron_schedule.h"

#include <gtest/gtest.h>
#include "test_time.h"

namespace pinpipe::schedule {
namespace {

using testing::At;
std::string Next(const char* cron, const char* after) {
  auto c = CronSchedule::Parse(cron);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  auto n = c->Next(At(after));
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return FormatRfc3339Micros(*n);
}

TEST(CronScheduleTest, DailyAtEightUtc) {
  EXPECT_EQ(Next("0 8 * * *", "2026-11-26T07:59:59Z"), "2026-11-26T08:00:00.000000Z");
  EXPECT_EQ(Next("0 8 * * *", "2026-11-26T08:00:00Z"), "2026-11-27T08:00:00.000000Z");
  EXPECT_EQ(Next("0 8 * * *", "2026-12-31T09:00:00Z"), "2027-01-01T08:00:00.000000Z");
}

TEST(CronScheduleTest, StepsRangesAndLists) {
  EXPECT_EQ(Next("*/15 * * * *", "2026-11-26T10:01:00Z"), "2026-11-26T10:15:00.000000Z");
  EXPECT_EQ(Next("30 9-17/4 * * *", "2026-11-26T14:00:00Z"), "2026-11-26T17:30:00.000000Z");
  EXPECT_EQ(Next("5,10 0 * * *", "2026-11-26T00:05:00Z"), "2026-11-26T00:10:00.000000Z");
}

TEST(CronScheduleTest, DayOfWeekAndMonth) {
  // 2026-11-26 is a Thursday; next Monday is 11-30. Sunday may be 0 or 7.
  EXPECT_EQ(Next("0 0 * * 1", "2026-11-26T00:00:00Z"), "2026-11-30T00:00:00.000000Z");
  EXPECT_EQ(Next("0 0 * * 7", "2026-11-26T00:00:00Z"), "2026-11-29T00:00:00.000000Z");
  EXPECT_EQ(Next("0 0 1 1 *", "2026-11-26T00:00:00Z"), "2027-01-01T00:00:00.000000Z");
  // Both day fields restricted: either matches (the 1st, or a Monday).
  EXPECT_EQ(Next("0 0 1 * 1", "2026-11-26T00:00:00Z"), "2026-11-30T00:00:00.000000Z");
  EXPECT_EQ(Next("0 0 29 2 *", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00.000000Z");
}

TEST(CronScheduleTest, Aliases) {
  EXPECT_EQ(Next("@daily", "2026-11-26T10:00:00Z"), "2026-11-27T00:00:00.000000Z");
  EXPECT_EQ(Next("@hourly", "2026-11-26T10:00:00Z"), "2026-11-26T11:00:00.000000Z");
}

TEST(CronScheduleTest, RejectsMalformedExpressions) {
  for (const char* bad : {"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *"}) {
    auto c = CronSchedule::Parse(bad);
    EXPECT_FALSE(c.ok()) << bad;
  }
  auto c = CronSchedule::Parse("61 * * * *");
  EXPECT_NE(c.status().message().find("minute"), std::string::npos);
}

TEST(CronScheduleTest, ImpossibleScheduleIsNotFound) {
  auto c = CronSchedule::Parse("0 0 30 2 *");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->Next(At("2026-01-01T00:00:00Z")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace pinpipe::schedule
