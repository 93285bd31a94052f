// KafkaBus: the Bus interface over one admin client (metadata, watermarks,
// topic creation); producers and consumers get their own clients.
#include "bus/kafka/kafka_bus.h"

#include "bus/kafka/kafka_client.h"
#include "bus/kafka/kafka_consumer.h"
#include "bus/kafka/kafka_producer.h"
#include "bus/kafka/kafka_topics.h"
#include "core/log.h"

namespace pinpipe::bus::kafka {
namespace {

// Thread-safe (librdkafka handles are; TopicAdmin holds no mutable state).
class KafkaBus final : public Bus {
 public:
  explicit KafkaBus(KafkaOptions options) : options_(std::move(options)) {}

  Status Connect() {
    PINPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(options_, ClientRole::kAdmin, &errors_));
    PINPIPE_ASSIGN_OR_RETURN(admin_, NewClient(std::move(conf), RD_KAFKA_PRODUCER));
    ServeEventsInBackground(admin_.get());
    PINPIPE_RETURN_IF_ERROR(Admin().CheckReachable());
    core::Log("kafka").info("event=bus_opened brokers={}", BrokerList(options_));
    return Status::Ok();
  }

  Status CreateTopic(const std::string& topic, int32_t partitions) override {
    return Admin().Create(topic, partitions, options_.replication_factor);
  }

  Result<std::vector<PartitionInfo>> DescribeTopic(const std::string& topic) override {
    return Admin().Describe(topic);
  }

  Result<std::unique_ptr<Producer>> NewProducer(const std::string& topic) override {
    PINPIPE_ASSIGN_OR_RETURN(int32_t partitions, Admin().PartitionCount(topic));
    PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Producer> producer,
                             KafkaProducer::Open(options_, topic, partitions));
    return producer;
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& topic) override {
    PINPIPE_ASSIGN_OR_RETURN(int32_t partitions, Admin().PartitionCount(topic));
    PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Consumer> consumer,
                             KafkaConsumer::Open(options_, topic, partitions));
    return consumer;
  }

 private:
  TopicAdmin Admin() {
    return TopicAdmin(admin_.get(), &errors_, BrokerList(options_), options_.request_timeout);
  }

  KafkaOptions options_;
  ClientErrors errors_;  // outlives admin_
  KafkaHandle admin_;
};

}  // namespace

Result<std::unique_ptr<Bus>> OpenKafkaBus(const KafkaOptions& options) {
  if (options.request_timeout.count() <= 0)
    return Status::InvalidArgument("Kafka request timeout must be positive");
  if (options.partitions < 1) return Status::InvalidArgument("Kafka topics need at least one partition");
  auto bus = std::make_unique<KafkaBus>(options);
  PINPIPE_RETURN_IF_ERROR(bus->Connect());
  return std::unique_ptr<Bus>(std::move(bus));
}

}  // namespace pinpipe::bus::kafka
