// librdkafka error → Status.
#include "bus/kafka/kafka_status.h"

#include <string>

namespace pinpipe::bus::kafka {

StatusCode KafkaErrorCode(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return StatusCode::kOk;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return StatusCode::kResourceExhausted;
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
      return StatusCode::kOutOfRange;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return StatusCode::kNotFound;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return StatusCode::kAlreadyExists;
    // Wrong input or configuration: retrying the same thing will not help.
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__INVALID_TYPE:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
    case RD_KAFKA_RESP_ERR__CONFLICT:
      return StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR__DESTROY:
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
      return StatusCode::kCancelled;
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
      return StatusCode::kCorruption;
    default:
      break;
  }
  // Broker down, timeouts, leadership moves, not enough replicas, throttling,
  // fatal idempotence errors (the caller must retry, possibly after a
  // restart): everything else is worth retrying later.
  return StatusCode::kUnavailable;
}

Status KafkaError(rd_kafka_resp_err_t err, std::string_view context, std::string_view detail) {
  std::string message(context);
  message += ": ";
  message += detail.empty() ? std::string(rd_kafka_err2str(err)) : std::string(detail);
  message += " (";
  message += rd_kafka_err2name(err);
  message += ")";
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      message += "; the principal lacks a Kafka ACL for this (grant it, or check sasl.username)";
      break;
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      message +=
          "; check --kafka-property security.protocol, sasl.mechanism, sasl.username and "
          "sasl.password";
      break;
    case RD_KAFKA_RESP_ERR__SSL:
      message += "; check --kafka-property ssl.ca.location and the broker's certificate";
      break;
    default:
      break;
  }
  StatusCode code = KafkaErrorCode(err);
  if (code == StatusCode::kOk) code = StatusCode::kInternal;  // misuse; never an OK Status
  return Status(code, std::move(message));
}

}  // namespace pinpipe::bus::kafka
