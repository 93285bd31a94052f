#include <gtest/gtest.h>

#include "bus/kafka/kafka_bus.h"

namespace pinpipe::bus::kafka {
namespace {

TEST(KafkaUrlTest, OneBrokerWithPort) {
  auto options = ParseKafkaUrl("kafka://127.0.0.1:9092");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->brokers, std::vector<std::string>{"127.0.0.1:9092"});
}

TEST(KafkaUrlTest, SeveralBrokersKeepTheirOrder) {
  auto options = ParseKafkaUrl("kafka://k1.example:9092,k2.example:19092,[::1]:9093/");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->brokers,
            (std::vector<std::string>{"k1.example:9092", "k2.example:19092", "[::1]:9093"}));
}

TEST(KafkaUrlTest, MissingPortMeansKafkasDefault) {
  auto options = ParseKafkaUrl("kafka://broker");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->brokers, std::vector<std::string>{"broker:9092"});
}

TEST(KafkaUrlTest, MalformedUrlsAreRejectedWithTheAcceptedForm) {
  for (const char* url : {"kafka://", "log:/tmp/x", "kafka:/h:1", "kafka://h:0", "kafka://h:99999",
                          "kafka://h:", "kafka://h:12x", "kafka://a:1,,b:2", "kafka://a:1,", "kafka://:9092",
                          "kafka://h/p:1", "kafka://[::1", "kafka://u@h:1"}) {
    auto options = ParseKafkaUrl(url);
    ASSERT_FALSE(options.ok()) << url;
    EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(options.status().message().find("kafka://host:port"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace pinpipe::bus::kafka
