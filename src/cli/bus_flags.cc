// Shared bus options.
#include "cli/bus_flags.h"

namespace pinpipe::cli {

void AddBusFlags(CLI::App* sub, BusFlags* flags) {
  sub->add_option("--bus", flags->bus, "Bus URL: log:<dir> or kafka://host:9092[,host:9092] (default log:<data-dir>/log)");
  sub->add_option("--topic", flags->topic, "Topic name")->capture_default_str();
  sub->add_option("--partitions", flags->partitions, "Partitions of a topic created on first use")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  sub->add_option("--sync", flags->sync,
                  "Embedded log durability: always (ack after fsync), interval-ms=N, never")
      ->capture_default_str();
  sub->add_option("--kafka-property", flags->kafka_properties,
                  "librdkafka property key=value (repeatable), e.g. security.protocol=SSL");
}

Result<bus::BusOptions> MakeBusOptions(const BusFlags& flags, const GlobalOptions& globals) {
  bus::BusOptions options;
  options.url = flags.bus.empty() ? DefaultBusUrl(globals) : flags.bus;
  options.partitions = flags.partitions;
  options.sync = flags.sync;
  for (const std::string& kv : flags.kafka_properties) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--kafka-property wants key=value, got '" + kv + "'");
    }
    options.kafka_properties.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return options;
}

}  // namespace pinpipe::cli
