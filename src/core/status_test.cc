#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace pinpipe {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  PINPIPE_ASSIGN_OR_RETURN(int h, Half(x));
  PINPIPE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  PINPIPE_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::Corruption("bad crc at 17").ToString(), "CORRUPTION: bad crc at 17");
  EXPECT_EQ(Status::IOError("x").WithContext("open a.log").ToString(), "IO_ERROR: open a.log: x");
}

TEST(StatusTest, RetryableCodes) {
  EXPECT_TRUE(Status::Unavailable("").IsRetryable());
  EXPECT_TRUE(Status::ResourceExhausted("").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("").IsRetryable());
}

TEST(ResultTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultDeathTest, ValueOfErrorAborts) {
  Result<int> r = Status::NotFound("nope");
  EXPECT_DEATH((void)r.value(), "nope");
}

}  // namespace
}  // namespace pinpipe
