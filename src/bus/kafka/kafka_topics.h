// Topic metadata and administration on a Kafka cluster: existence and
// partition count, watermarks, creation. Internal to bus/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/kafka/kafka_client.h"
#include "core/status.h"

namespace pinpipe::bus::kafka {

// Borrows a client handle and its error record for the duration of each
// call. Thread-safe as librdkafka handles are.
class TopicAdmin {
 public:
  TopicAdmin(rd_kafka_t* rk, const ClientErrors* errors, std::string brokers,
             std::chrono::milliseconds timeout)
      : rk_(rk), errors_(errors), brokers_(std::move(brokers)), timeout_(timeout) {}

  // Asks any broker for the cluster's brokers: kUnavailable (with the last
  // connection error) when none answers within the timeout.
  Status CheckReachable();
  // Partition count of `topic`; kNotFound when the cluster does not have it
  // (or does not show it to this principal).
  Result<int32_t> PartitionCount(const std::string& topic);
  // Low/high watermarks per partition, in partition order.
  Result<std::vector<PartitionInfo>> Describe(const std::string& topic);
  // Creates the topic through the admin API and waits until its metadata
  // shows every partition with a leader. kAlreadyExists when it exists with
  // another partition count; OK when it exists with `partitions`.
  Status Create(const std::string& topic, int32_t partitions, int16_t replication_factor);

 private:
  Status MetadataError(rd_kafka_resp_err_t err, const std::string& what);
  Result<PartitionInfo> Watermarks(const std::string& topic, int32_t partition);
  Status RunCreateTopics(const std::string& topic, int32_t partitions, int16_t replication_factor);
  Status WaitForLeaders(const std::string& topic, int32_t partitions);

  rd_kafka_t* rk_;
  const ClientErrors* errors_;
  std::string brokers_;
  std::chrono::milliseconds timeout_;
};

}  // namespace pinpipe::bus::kafka
