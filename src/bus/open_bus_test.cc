#include "bus/open_bus.h"

#include <gtest/gtest.h>

#include "subprocess.h"

namespace pinpipe::bus {
namespace {

using ::pinpipe::testing::TempDir;

BusOptions Options(std::string url, std::string sync = "always", int32_t partitions = 4) {
  BusOptions options;
  options.url = std::move(url);
  options.sync = std::move(sync);
  options.partitions = partitions;
  return options;
}

TEST(OpenBusTest, LogUrlOpensTheEmbeddedLog) {
  TempDir tmp;
  auto bus = OpenBus(Options("log:" + tmp.File("log"), "always", 3));
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  auto producer = (*bus)->NewProducer("pins");
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto info = (*bus)->DescribeTopic("pins");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size(), 3u);
}

TEST(OpenBusTest, UnknownSchemeIsInvalidArgumentNamingTheForms) {
  auto bus = OpenBus(Options("nats://x"));
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bus.status().message().find("log:<dir>"), std::string::npos);
}

TEST(OpenBusTest, EmptyLogDirIsInvalidArgument) {
  auto bus = OpenBus(Options("log:"));
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenBusTest, BadSyncPolicyIsInvalidArgument) {
  TempDir tmp;
  auto bus = OpenBus(Options("log:" + tmp.path(), "sometimes"));
  ASSERT_FALSE(bus.ok());
  EXPECT_EQ(bus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bus.status().message().find("interval-ms=N"), std::string::npos);
}

TEST(OpenBusTest, IntervalSyncPolicyIsAccepted) {
  TempDir tmp;
  EXPECT_TRUE(OpenBus(Options("log:" + tmp.path(), "interval-ms=5")).ok());
  EXPECT_TRUE(OpenBus(Options("log:" + tmp.path(), "never")).ok());
}

}  // namespace
}  // namespace pinpipe::bus
