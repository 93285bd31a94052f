// OpenBus: picks the backend from the URL scheme and maps BusOptions onto it.
#include "bus/open_bus.h"

#include "bus/kafka/kafka_bus.h"
#include "bus/log/log_bus.h"

namespace pinpipe::bus {
namespace {

constexpr char kForms[] = "use log:<dir> (embedded log) or kafka://host:port[,host:port] (Apache Kafka)";

Result<std::unique_ptr<Bus>> OpenLog(const BusOptions& options, std::string dir) {
  log::LogOptions lo;
  lo.dir = std::move(dir);
  lo.default_partitions = options.partitions;
  PINPIPE_ASSIGN_OR_RETURN(lo.sync, log::ParseSyncPolicy(options.sync));
  lo.segment_bytes = options.segment_bytes;
  lo.retention_ms = options.retention_ms;
  lo.retention_bytes = options.retention_bytes;
  lo.clock = options.clock;
  lo.fs = options.fs;
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<log::LogBus> bus, log::LogBus::Open(lo));
  return std::unique_ptr<Bus>(std::move(bus));
}

}  // namespace

Result<std::unique_ptr<Bus>> OpenBus(const BusOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with("log:")) {
    std::string_view dir = url.substr(4);
    if (dir.starts_with("//")) dir.remove_prefix(2);  // tolerate log://<dir>
    if (dir.empty()) return Status::InvalidArgument("bus URL '" + options.url + "' names no directory: " + kForms);
    return OpenLog(options, std::string(dir));
  }
  if (url.starts_with("kafka://")) {
    PINPIPE_ASSIGN_OR_RETURN(kafka::KafkaOptions ko, kafka::ParseKafkaUrl(url));
    ko.partitions = options.partitions;
    ko.properties = options.kafka_properties;
    ko.clock = options.clock;
    return kafka::OpenKafkaBus(ko);
  }
  return Status::InvalidArgument("unknown bus URL '" + options.url + "': " + kForms);
}

}  // namespace pinpipe::bus
