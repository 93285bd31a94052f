// Topic metadata, watermarks and creation through librdkafka's metadata and
// admin APIs, each bounded by the request timeout.
#include "bus/kafka/kafka_topics.h"

#include <algorithm>
#include <memory>
#include <thread>

#include "bus/kafka/kafka_status.h"
#include "core/log.h"

namespace pinpipe::bus::kafka {
namespace {

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* ev) const { rd_kafka_event_destroy(ev); }
};
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

int TimeoutMs(std::chrono::milliseconds t) { return static_cast<int>(std::max<int64_t>(1, t.count())); }

const rd_kafka_metadata_topic_t* FindTopic(const rd_kafka_metadata_t& md, const std::string& topic) {
  for (int i = 0; i < md.topic_cnt; ++i) {
    if (topic == md.topics[i].topic) return &md.topics[i];
  }
  return nullptr;
}

bool AllPartitionsLed(const rd_kafka_metadata_topic_t& t, int32_t partitions) {
  if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partition_cnt != partitions) return false;
  for (int i = 0; i < t.partition_cnt; ++i) {
    if (t.partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[i].leader < 0) return false;
  }
  return true;
}

bool IsLeadershipInFlux(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
}

Status SameCount(const std::string& topic, int32_t existing, int32_t wanted) {
  if (existing == wanted) return Status::Ok();
  return Status::AlreadyExists("topic '" + topic + "' exists on Kafka with " + std::to_string(existing) +
                               " partitions, not " + std::to_string(wanted));
}

}  // namespace

Status TopicAdmin::MetadataError(rd_kafka_resp_err_t err, const std::string& what) {
  rd_kafka_resp_err_t last = errors_ != nullptr ? errors_->last_error() : RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string reason = errors_ != nullptr ? errors_->last_reason() : "";
  std::string context = what + " on Kafka at " + brokers_;
  if (KafkaErrorCode(last) == StatusCode::kInvalidArgument) return KafkaError(last, context, reason);
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
    context += " (no broker answered within " + std::to_string(timeout_.count()) + " ms)";
    if (!reason.empty()) return Status::Unavailable(context + ": " + reason);
  }
  return KafkaError(err, context);
}

Status TopicAdmin::CheckReachable() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, nullptr, &md, TimeoutMs(timeout_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return MetadataError(err, "cannot read cluster metadata");
  MetadataPtr owned(md);
  if (md->broker_cnt == 0) return Status::Unavailable("Kafka at " + brokers_ + " lists no brokers");
  return Status::Ok();
}

Result<int32_t> TopicAdmin::PartitionCount(const std::string& topic) {
  // All topics: asking for one topic by name may auto-create it.
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 1, nullptr, &md, TimeoutMs(timeout_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return MetadataError(err, "cannot look up topic '" + topic + "'");
  MetadataPtr owned(md);
  const rd_kafka_metadata_topic_t* t = FindTopic(*md, topic);
  if (t == nullptr || t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return Status::NotFound("topic '" + topic + "' does not exist on Kafka at " + brokers_ +
                            " (or this principal may not see it); create it with " +
                            "kafka-topics.sh --create or `pinpipe api`, which creates it");
  }
  if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR && t->partition_cnt == 0) {
    return KafkaError(t->err, "topic '" + topic + "' on Kafka at " + brokers_);
  }
  return static_cast<int32_t>(t->partition_cnt);
}

Result<std::vector<PartitionInfo>> TopicAdmin::Describe(const std::string& topic) {
  PINPIPE_ASSIGN_OR_RETURN(int32_t count, PartitionCount(topic));
  std::vector<PartitionInfo> out;
  out.reserve(count);
  for (int32_t p = 0; p < count; ++p) {
    PINPIPE_ASSIGN_OR_RETURN(PartitionInfo info, Watermarks(topic, p));
    out.push_back(info);
  }
  return out;
}

Result<PartitionInfo> TopicAdmin::Watermarks(const std::string& topic, int32_t partition) {
  // Right after a topic is created or a leader moves, the broker named in
  // metadata may not lead the partition yet: retry a bounded number of times.
  constexpr auto kStep = std::chrono::milliseconds(100);
  int64_t attempts = std::max<int64_t>(1, timeout_ / kStep);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int64_t i = 0; i < attempts; ++i) {
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, TimeoutMs(timeout_));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return PartitionInfo{.partition = partition, .start_offset = low, .end_offset = high, .bytes = 0};
    }
    if (!IsLeadershipInFlux(err)) break;
    std::this_thread::sleep_for(kStep);
  }
  return MetadataError(err, "cannot read watermarks of " + topic + "/" + std::to_string(partition));
}

Status TopicAdmin::Create(const std::string& topic, int32_t partitions, int16_t replication_factor) {
  if (partitions < 1) return Status::InvalidArgument("a topic needs at least one partition");
  Result<int32_t> existing = PartitionCount(topic);
  if (existing.ok()) return SameCount(topic, *existing, partitions);
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  Status created = RunCreateTopics(topic, partitions, replication_factor);
  if (created.code() == StatusCode::kAlreadyExists) {  // another client won the race
    PINPIPE_ASSIGN_OR_RETURN(int32_t count, PartitionCount(topic));
    return SameCount(topic, count, partitions);
  }
  PINPIPE_RETURN_IF_ERROR(created);
  PINPIPE_RETURN_IF_ERROR(WaitForLeaders(topic, partitions));
  core::Log("kafka").info("event=topic_created topic={} partitions={} brokers={}", topic, partitions,
                          brokers_);
  return Status::Ok();
}

Status TopicAdmin::RunCreateTopics(const std::string& topic, int32_t partitions, int16_t replication_factor) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> new_topic(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof err));
  if (!new_topic) return Status::InvalidArgument("cannot create topic '" + topic + "': " + err);
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> admin_options(
      rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), TimeoutMs(timeout_), err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), TimeoutMs(timeout_), err, sizeof err);
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk_));
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk_, topics, 1, admin_options.get(), queue.get());
  // The request timeout bounds the call; the margin only covers queueing.
  std::unique_ptr<rd_kafka_event_t, EventDeleter> ev(
      rd_kafka_queue_poll(queue.get(), TimeoutMs(timeout_ + std::chrono::seconds(5))));
  std::string context = "cannot create topic '" + topic + "' on Kafka at " + brokers_;
  if (!ev) return Status::Unavailable(context + ": no answer in time");
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string detail = rd_kafka_event_error_string(ev.get());
    if (rd_kafka_event_error(ev.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      detail += "; if this cluster does not offer CreateTopics (e.g. a mock), create the topic with " +
                std::to_string(partitions) + " partitions yourself";
    }
    return KafkaError(rd_kafka_event_error(ev.get()), context, detail);
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    const char* text = rd_kafka_topic_result_error_string(results[i]);
    return KafkaError(e, context, text != nullptr ? text : "");
  }
  return Status::Ok();
}

Status TopicAdmin::WaitForLeaders(const std::string& topic, int32_t partitions) {
  // Bounded by attempts rather than a clock: brokers learn of a new topic
  // a moment after the controller created it.
  constexpr auto kStep = std::chrono::milliseconds(100);
  int64_t attempts = std::max<int64_t>(1, timeout_ / kStep);
  for (int64_t i = 0; i < attempts; ++i) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk_, 1, nullptr, &md, TimeoutMs(timeout_)) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      MetadataPtr owned(md);
      const rd_kafka_metadata_topic_t* t = FindTopic(*md, topic);
      if (t != nullptr && AllPartitionsLed(*t, partitions)) return Describe(topic).status();
    }
    std::this_thread::sleep_for(kStep);
  }
  return Status::Unavailable("topic '" + topic + "' was created on Kafka at " + brokers_ +
                             " but its partitions have no leader yet");
}

}  // namespace pinpipe::bus::kafka
