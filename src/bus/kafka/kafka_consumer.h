// bus::Consumer on Kafka: librdkafka's consumer with manual assignment from
// caller-supplied offsets; it never commits, never stores offsets, and
// reports an out-of-range position instead of resetting it. Internal to
// bus/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/kafka/kafka_bus.h"
#include "bus/kafka/kafka_client.h"

namespace pinpipe::bus::kafka {

// Externally serialized (one thread calls Assign/Poll). Owns one librdkafka
// consumer; the destructor closes it without committing anything.
class KafkaConsumer final : public Consumer {
 public:
  // REQUIRES: `partitions` is the topic's partition count (> 0).
  static Result<std::unique_ptr<KafkaConsumer>> Open(const KafkaOptions& options, const std::string& topic,
                                                     int32_t partitions);
  ~KafkaConsumer() override;

  Status Assign(const std::map<PartitionId, Offset>& next_offsets) override;
  Result<std::vector<Record>> Poll(size_t max_records, std::chrono::milliseconds timeout) override;

 private:
  KafkaConsumer(std::string topic, int32_t partitions) : topic_(std::move(topic)), partitions_(partitions) {}
  // Adds a record to `out`, or returns the error the message carries (OK
  // for errors librdkafka recovers from by itself).
  Status Take(const rd_kafka_message_t& m, std::vector<Record>* out);

  std::string topic_;
  int32_t partitions_;
  Clock* clock_ = nullptr;
  ClientErrors errors_;  // outlives rk_
  KafkaHandle rk_;
  // An error met after some records were already collected: returned by the
  // next Poll so those records are not lost.
  std::optional<Status> pending_error_;
};

}  // namespace pinpipe::bus::kafka
