// Assign → rd_kafka_assign with explicit offsets; Poll → rd_kafka_consumer_poll
// mapped to bus::Record.
#include "bus/kafka/kafka_consumer.h"

#include <charconv>
#include <cstring>

#include "bus/kafka/kafka_producer.h"
#include "bus/kafka/kafka_status.h"
#include "core/log.h"

namespace pinpipe::bus::kafka {
namespace {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};

// Microseconds from the producer's header when present (pinpipe wrote it),
// else the record's millisecond timestamp.
UnixMicros RecordTimestamp(const rd_kafka_message_t& m) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_last(headers, kTimestampHeader, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        value != nullptr) {
      const char* text = static_cast<const char*>(value);
      UnixMicros micros = 0;
      auto [end, ec] = std::from_chars(text, text + size, micros);
      if (ec == std::errc() && end == text + size) return micros;
    }
  }
  rd_kafka_timestamp_type_t type;
  int64_t ms = rd_kafka_message_timestamp(&m, &type);
  return ms >= 0 ? ms * 1000 : 0;
}

}  // namespace

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Open(const KafkaOptions& options,
                                                           const std::string& topic, int32_t partitions) {
  PINPIPE_CHECK(partitions > 0);
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(topic, partitions));
  consumer->clock_ = options.clock != nullptr ? options.clock : RealClock();
  PINPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(options, ClientRole::kConsumer, &consumer->errors_));
  PINPIPE_ASSIGN_OR_RETURN(consumer->rk_, NewClient(std::move(conf), RD_KAFKA_CONSUMER));
  // Error callbacks are served by consumer_poll.
  rd_kafka_poll_set_consumer(consumer->rk_.get());
  return consumer;
}

KafkaConsumer::~KafkaConsumer() {
  if (rk_) rd_kafka_consumer_close(rk_.get());  // no subscription, nothing to commit: quick
}

Status KafkaConsumer::Assign(const std::map<PartitionId, Offset>& next_offsets) {
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
  for (const auto& [partition, offset] : next_offsets) {
    if (partition < 0 || partition >= partitions_) {
      return Status::NotFound("topic '" + topic_ + "' has " + std::to_string(partitions_) +
                              " partitions on Kafka; partition " + std::to_string(partition) +
                              " does not exist");
    }
    if (offset < 0) {
      return Status::InvalidArgument("cannot read " + topic_ + "/" + std::to_string(partition) +
                                     " from negative offset " + std::to_string(offset));
    }
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = offset;
  }
  pending_error_.reset();
  rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), next_offsets.empty() ? nullptr : list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return KafkaError(err, "cannot assign partitions of '" + topic_ + "'");
  return Status::Ok();
}

Result<std::vector<Record>> KafkaConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout) {
  if (pending_error_) {
    Status error = std::move(*pending_error_);
    pending_error_.reset();
    return error;
  }
  std::vector<Record> out;
  int64_t deadline = clock_->MonotonicMicros() + timeout.count() * 1000;
  while (out.size() < max_records) {
    int wait_ms = 0;
    if (out.empty())
      wait_ms = static_cast<int>(std::max<int64_t>(0, (deadline - clock_->MonotonicMicros()) / 1000));
    MessagePtr m(rd_kafka_consumer_poll(rk_.get(), wait_ms));
    if (!m) break;
    Status s = Take(*m, &out);
    if (s.ok()) continue;
    if (out.empty()) return s;
    pending_error_ = std::move(s);
    break;
  }
  return out;
}

Status KafkaConsumer::Take(const rd_kafka_message_t& m, std::vector<Record>* out) {
  if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    Record& r = out->emplace_back();
    r.partition = m.partition;
    r.offset = m.offset;
    r.timestamp = RecordTimestamp(m);
    if (m.key != nullptr) r.key.assign(static_cast<const char*>(m.key), m.key_len);
    if (m.payload != nullptr) r.value.assign(static_cast<const char*>(m.payload), m.len);
    return Status::Ok();
  }
  if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return Status::Ok();
  std::string where = topic_ + "/" + std::to_string(m.partition);
  std::string detail = rd_kafka_message_errstr(&m);
  if (KafkaErrorCode(m.err) == StatusCode::kOutOfRange) {
    return Status::OutOfRange("offset " + std::to_string(m.offset) + " of " + where +
                              " is not on Kafka (deleted by retention, or past the end): " + detail);
  }
  if (KafkaErrorCode(m.err) == StatusCode::kUnavailable && m.err != RD_KAFKA_RESP_ERR__FATAL) {
    // librdkafka reconnects and refetches by itself: nothing is lost.
    core::Log("kafka").warn("event=consumer_error topic={} error={} detail={}", where,
                            rd_kafka_err2name(m.err), core::LogValue(detail));
    return Status::Ok();
  }
  return KafkaError(m.err, "cannot read " + where, detail);
}

}  // namespace pinpipe::bus::kafka
