// bus::Producer on Kafka: records keyed by unique_id go to the partition
// PartitionForKey picks, through librdkafka's idempotent acks=all producer;
// delivery reports resolve each Append's callback. Internal to bus/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus.h"
#include "bus/kafka/kafka_bus.h"
#include "bus/kafka/kafka_client.h"

namespace pinpipe::bus::kafka {

// Header carrying Message.timestamp in microseconds (decimal text): Kafka's
// own record timestamp has only milliseconds.
inline constexpr char kTimestampHeader[] = "pinpipe-ts-us";

// Thread-safe. Owns one librdkafka producer and one thread that serves its
// delivery reports (started in Open, joined in the destructor). Callbacks run
// on that thread, also for errors met inside Append (e.g. a full queue). The
// destructor waits up to 5 s for outstanding appends, then fails the rest
// with kCancelled, so every callback runs exactly once.
// An Append that reports an error may still have put some of its records in
// Kafka (those before a full queue, or ones whose ack was lost): callers
// retry, and sinks dedupe by unique_id.
class KafkaProducer final : public Producer {
 public:
  // REQUIRES: `partitions` is the topic's partition count (> 0).
  static Result<std::unique_ptr<KafkaProducer>> Open(const KafkaOptions& options, const std::string& topic,
                                                     int32_t partitions);
  ~KafkaProducer() override;

  void Append(std::span<const Message> messages, AppendCallback done) override;
  Status Flush(std::chrono::milliseconds timeout) override;

 private:
  struct PendingAppend;
  // An Append that ended before reaching librdkafka (e.g. queue full) or had
  // nothing to send; its callback runs on the delivery thread.
  struct Deferred {
    PendingAppend* append;
    Status status;  // OK for an empty append
    size_t unsent;  // messages that never reached librdkafka
  };

  KafkaProducer(const KafkaOptions& options, std::string topic, int32_t partitions);
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  rd_kafka_resp_err_t Produce(const Message& message, void* opaque);
  void Defer(PendingAppend* append, Status status, size_t unsent);
  void RunDeferred();
  void DeliveryLoop();
  void AppendFinished();

  Clock* clock_;
  std::string topic_name_;
  int32_t partitions_;
  ClientErrors errors_;  // outlives rk_
  KafkaHandle rk_;
  TopicPtr topic_;

  std::mutex mu_;
  std::condition_variable idle_;
  size_t in_flight_ = 0;            // Append calls whose callback has not finished
  std::vector<Deferred> deferred_;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread delivery_thread_;
};

}  // namespace pinpipe::bus::kafka
