// The bus on Apache Kafka (or Redpanda) through librdkafka: the same Bus
// interface as the embedded log (bus/bus.h), for deployments that outgrow
// one machine. This is the only header of bus/kafka others include; no
// librdkafka type appears in it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"

namespace pinpipe::bus::kafka {

struct KafkaOptions {
  // Bootstrap servers, "host:port" each. Required.
  std::vector<std::string> brokers;
  // Partitions of topics created through Bus::CreateTopic by callers that
  // use this default (the CLI passes --partitions explicitly).
  int32_t partitions = kDefaultPartitions;
  // Replication factor of created topics; -1 = the broker's default.
  int16_t replication_factor = -1;
  // librdkafka properties (TLS, SASL, tuning), applied after pinpipe's
  // defaults, so they win; except the durability settings pinpipe relies on
  // (acks=all, idempotence, no auto-commit), which are rejected if changed.
  std::vector<std::pair<std::string, std::string>> properties;
  // Bound on every admin/metadata round trip (connect, describe, create).
  // Delivery of produced records is bounded by message.timeout.ms (default
  // 30000 here; a property overrides it).
  std::chrono::milliseconds request_timeout{10000};
  // Borrowed; must outlive the Bus. Stamps messages sent without a timestamp.
  Clock* clock = RealClock();
};

// Connects to the cluster (bounded by request_timeout) and returns the bus.
// kInvalidArgument for bad options/properties or an authentication or
// authorization failure; kUnavailable when no broker answers.
Result<std::unique_ptr<Bus>> OpenKafkaBus(const KafkaOptions& options);

// Parses `kafka://host:port[,host:port...]` into options with `brokers` set
// (other fields default). kInvalidArgument naming the accepted form.
Result<KafkaOptions> ParseKafkaUrl(std::string_view url);

}  // namespace pinpipe::bus::kafka
