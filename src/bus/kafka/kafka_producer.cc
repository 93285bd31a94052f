// Append → rd_kafka_producev per message → delivery reports → one callback
// per Append with every position, or the first error.
#include "bus/kafka/kafka_producer.h"

#include <charconv>
#include <utility>

#include "bus/kafka/kafka_status.h"
#include "core/log.h"

namespace pinpipe::bus::kafka {
namespace {

constexpr auto kCloseFlushTimeout = std::chrono::seconds(5);
constexpr int kPollMs = 100;

}  // namespace

// The state of one Append while its messages are in librdkafka. Owned by its
// outstanding deliveries: the one that brings `remaining` to zero frees it.
struct KafkaProducer::PendingAppend {
  struct Slot {
    PendingAppend* owner;
    size_t index;
  };

  PendingAppend(KafkaProducer* p, AppendCallback cb, size_t n)
      : producer(p), done(std::move(cb)), positions(n), slots(n), remaining(n) {
    for (size_t i = 0; i < n; ++i) slots[i] = Slot{this, i};
  }

  // Reports `status` unless something was reported already.
  void Fail(Status status) {
    if (!reported.exchange(true)) done(std::move(status));
  }

  // Marks `n` messages as finished; the last one reports success (if nothing
  // failed) and frees this.
  void Settle(size_t n) {
    if (remaining.fetch_sub(n, std::memory_order_acq_rel) != n) return;
    std::unique_ptr<PendingAppend> self(this);
    if (!reported.exchange(true)) done(std::move(positions));
    producer->AppendFinished();
  }

  KafkaProducer* producer;
  AppendCallback done;
  std::vector<Position> positions;
  std::vector<Slot> slots;
  std::atomic<size_t> remaining;
  std::atomic<bool> reported{false};
};

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Open(const KafkaOptions& options,
                                                           const std::string& topic, int32_t partitions) {
  PINPIPE_CHECK(partitions > 0);
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer(options, topic, partitions));
  PINPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(options, ClientRole::kProducer, &producer->errors_));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::OnDelivery);
  PINPIPE_ASSIGN_OR_RETURN(producer->rk_, NewClient(std::move(conf), RD_KAFKA_PRODUCER));
  producer->topic_.reset(rd_kafka_topic_new(producer->rk_.get(), topic.c_str(), nullptr));
  if (!producer->topic_) {
    return KafkaError(rd_kafka_last_error(), "cannot open topic '" + topic + "' for producing");
  }
  producer->delivery_thread_ = std::thread([p = producer.get()] { p->DeliveryLoop(); });
  return producer;
}

KafkaProducer::KafkaProducer(const KafkaOptions& options, std::string topic, int32_t partitions)
    : clock_(options.clock != nullptr ? options.clock : RealClock()),
      topic_name_(std::move(topic)),
      partitions_(partitions) {}

KafkaProducer::~KafkaProducer() {
  if (delivery_thread_.joinable()) {
    if (!Flush(kCloseFlushTimeout).ok()) {
      // Give up on what the cluster did not acknowledge in time: purged
      // messages come back through OnDelivery as kCancelled.
      rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      if (Status s = Flush(kCloseFlushTimeout); !s.ok()) {
        core::Log("kafka").error("event=producer_close_incomplete topic={} {}", topic_name_, s.message());
      }
    }
    stop_.store(true);
    rd_kafka_yield(rk_.get());
    delivery_thread_.join();
  }
  topic_.reset();  // before the handle it belongs to
  rk_.reset();
}

void KafkaProducer::Append(std::span<const Message> messages, AppendCallback done) {
  {
    std::lock_guard lock(mu_);
    ++in_flight_;
  }
  // Released to the deliveries of its messages; the last one frees it.
  PendingAppend* append = std::make_unique<PendingAppend>(this, std::move(done), messages.size()).release();
  if (messages.empty()) return Defer(append, Status::Ok(), 0);
  for (size_t i = 0; i < messages.size(); ++i) {
    rd_kafka_resp_err_t err = Produce(messages[i], &append->slots[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string context = "Kafka did not take record " + std::to_string(i) + " of " +
                            std::to_string(messages.size()) + " for topic '" + topic_name_ + "'";
      return Defer(append, KafkaError(err, context), messages.size() - i);
    }
  }
}

rd_kafka_resp_err_t KafkaProducer::Produce(const Message& m, void* opaque) {
  PartitionId partition = m.key.empty() ? 0 : PartitionForKey(m.key, partitions_);
  UnixMicros ts = m.timestamp != 0 ? m.timestamp : clock_->NowMicros();
  char ts_text[24];
  auto [end, ec] = std::to_chars(ts_text, ts_text + sizeof ts_text, ts);
  (void)ec;  // an int64 always fits in 24 characters
  return rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_RKT(topic_.get()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(const_cast<char*>(m.key.data()), m.key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()), RD_KAFKA_V_TIMESTAMP(ts / 1000),
      RD_KAFKA_V_HEADER(kTimestampHeader, ts_text, static_cast<ssize_t>(end - ts_text)),
      RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

void KafkaProducer::OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
  auto* slot = static_cast<PendingAppend::Slot*>(m->_private);
  PendingAppend* append = slot->owner;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string context = "Kafka did not acknowledge a record for " + append->producer->topic_name_ + "/" +
                          std::to_string(m->partition);
    if (rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED) {
      context += " (it may have been stored; a retry can duplicate it)";
    }
    append->Fail(KafkaError(m->err, context));
  } else if (m->offset < 0) {
    append->Fail(Status::Internal("Kafka acknowledged a record without an offset"));
  } else {
    append->positions[slot->index] = Position{m->partition, m->offset};
  }
  append->Settle(1);
}

void KafkaProducer::Defer(PendingAppend* append, Status status, size_t unsent) {
  {
    std::lock_guard lock(mu_);
    deferred_.push_back(Deferred{append, std::move(status), unsent});
  }
  rd_kafka_yield(rk_.get());  // wake the delivery thread's poll
}

void KafkaProducer::RunDeferred() {
  std::vector<Deferred> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(deferred_);
  }
  for (Deferred& d : batch) {
    if (!d.status.ok()) d.append->Fail(std::move(d.status));
    d.append->Settle(d.unsent);
  }
}

void KafkaProducer::DeliveryLoop() {
  while (!stop_.load()) {
    rd_kafka_poll(rk_.get(), kPollMs);
    RunDeferred();
  }
  rd_kafka_poll(rk_.get(), 0);
  RunDeferred();
}

void KafkaProducer::AppendFinished() {
  std::lock_guard lock(mu_);
  if (--in_flight_ == 0) idle_.notify_all();
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (idle_.wait_for(lock, timeout, [this] { return in_flight_ == 0; })) return Status::Ok();
  return Status::Unavailable("Kafka flush of topic '" + topic_name_ + "' timed out with " +
                             std::to_string(in_flight_) + " appends unacknowledged");
}

}  // namespace pinpipe::bus::kafka
