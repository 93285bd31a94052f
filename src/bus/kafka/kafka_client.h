// Creating librdkafka clients (admin, producer, consumer) with pinpipe's
// defaults, the user's pass-through properties, and librdkafka's logs and
// errors routed to pinpipe's logging. Internal to bus/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <mutex>
#include <string>

#include "bus/kafka/kafka_bus.h"
#include "core/status.h"

namespace pinpipe::bus::kafka {

enum class ClientRole { kAdmin, kProducer, kConsumer };

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

// The last error librdkafka reported for one client through its error
// callback (e.g. "all brokers down", an authentication failure), so a
// timed-out call can say why. Thread-safe. Must outlive the client handle.
class ClientErrors {
 public:
  void Record(rd_kafka_resp_err_t err, std::string reason);
  // NO_ERROR and "" when none was reported.
  rd_kafka_resp_err_t last_error() const;
  std::string last_reason() const;

 private:
  mutable std::mutex mu_;
  rd_kafka_resp_err_t err_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string reason_;
};

// librdkafka configuration for `role`: brokers, pinpipe's defaults for the
// role, then options.properties. `errors` (borrowed, may be null) receives
// the client's error callbacks. kInvalidArgument for an unknown or invalid
// property, or one that would break pinpipe's durability contract.
Result<ConfPtr> MakeConf(const KafkaOptions& options, ClientRole role, ClientErrors* errors);

// rd_kafka_new; takes `conf` (also on failure).
Result<KafkaHandle> NewClient(ConfPtr conf, rd_kafka_type_t type);

// For a client made with ClientRole::kAdmin, which nobody polls: its error
// events are served by librdkafka's background thread (into ClientErrors).
void ServeEventsInBackground(rd_kafka_t* rk);

// Bootstrap servers as one comma-separated string, for messages.
std::string BrokerList(const KafkaOptions& options);

}  // namespace pinpipe::bus::kafka
