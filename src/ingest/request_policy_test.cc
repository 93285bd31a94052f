#include "ingest/request_policy.h"

#include <gtest/gtest.h>

namespace pinpipe::ingest {
namespace {

TEST(RequestPolicyTest, RoutesIgnoreQueryAndTrailingSlashOfPin) {
  EXPECT_EQ(RouteOf("/pin"), Route::kPin);
  EXPECT_EQ(RouteOf("/pin/"), Route::kPin);
  EXPECT_EQ(RouteOf("/pin?x=1"), Route::kPin);
  EXPECT_EQ(RouteOf("/pins"), Route::kPins);
  EXPECT_EQ(RouteOf("/metrics"), Route::kMetrics);
  EXPECT_EQ(RouteOf("/healthz"), Route::kHealthz);
  EXPECT_EQ(RouteOf("/readyz"), Route::kReadyz);
  EXPECT_EQ(RouteOf("/pinx"), Route::kUnknown);
  EXPECT_EQ(RouteOf("/"), Route::kUnknown);
}

TEST(RequestPolicyTest, MethodsPerRoute) {
  EXPECT_TRUE(MethodAllowed(Route::kPin, "POST"));
  EXPECT_FALSE(MethodAllowed(Route::kPin, "GET"));
  EXPECT_TRUE(MethodAllowed(Route::kMetrics, "GET"));
  EXPECT_TRUE(MethodAllowed(Route::kHealthz, "HEAD"));
  EXPECT_FALSE(MethodAllowed(Route::kReadyz, "POST"));
}

TEST(RequestPolicyTest, ContentTypes) {
  EXPECT_EQ(ClassifyContentType("application/json", true), BodyType::kJson);
  EXPECT_EQ(ClassifyContentType("Application/JSON; charset=utf-8", true), BodyType::kJson);
  EXPECT_EQ(ClassifyContentType("application/x-ndjson", true), BodyType::kNdjson);
  EXPECT_EQ(ClassifyContentType("application/ndjson", true), BodyType::kNdjson);
  EXPECT_EQ(ClassifyContentType("", false), BodyType::kJson);
  EXPECT_EQ(ClassifyContentType("text/plain", true), BodyType::kUnsupported);
  EXPECT_EQ(ClassifyContentType("application/x-www-form-urlencoded", true), BodyType::kUnsupported);
  EXPECT_EQ(ClassifyContentType("", true), BodyType::kUnsupported);
}

TEST(RequestPolicyTest, BearerToken) {
  EXPECT_TRUE(BearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("bearer  s3cret ", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cretx", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer S3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
}

}  // namespace
}  // namespace pinpipe::ingest
