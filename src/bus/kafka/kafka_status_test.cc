#include "bus/kafka/kafka_status.h"

#include <gtest/gtest.h>

namespace pinpipe::bus::kafka {
namespace {

TEST(KafkaStatusTest, QueueFullIsBackpressure) {
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__QUEUE_FULL), StatusCode::kResourceExhausted);
}

TEST(KafkaStatusTest, BrokerTroubleIsRetryable) {
  for (auto err :
       {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT}) {
    Status s = KafkaError(err, "append");
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << rd_kafka_err2name(err);
    EXPECT_TRUE(s.IsRetryable());
  }
}

TEST(KafkaStatusTest, AuthorizationFailureSaysWhatToCheck) {
  Status s = KafkaError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "append to pins");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("append to pins"), std::string::npos);
  EXPECT_NE(s.message().find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos);
  EXPECT_NE(s.message().find("ACL"), std::string::npos);
  Status auth = KafkaError(RD_KAFKA_RESP_ERR__AUTHENTICATION, "connect", "SASL handshake failed");
  EXPECT_EQ(auth.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(auth.message().find("SASL handshake failed"), std::string::npos);
  EXPECT_NE(auth.message().find("sasl.username"), std::string::npos);
}

TEST(KafkaStatusTest, PositionsAndTopicsMapToTheBusCodes) {
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET), StatusCode::kOutOfRange);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE), StatusCode::kOutOfRange);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), StatusCode::kNotFound);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS), StatusCode::kAlreadyExists);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE), StatusCode::kInvalidArgument);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__PURGE_QUEUE), StatusCode::kCancelled);
}

TEST(KafkaStatusTest, NoErrorNeverBecomesAnOkStatus) {
  EXPECT_FALSE(KafkaError(RD_KAFKA_RESP_ERR_NO_ERROR, "x").ok());
}

}  // namespace
}  // namespace pinpipe::bus::kafka
