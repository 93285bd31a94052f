// Opens the bus named by a URL: `log:<dir>` (the embedded durable log) or
// `kafka://host:port[,host:port]` (Apache Kafka through librdkafka). Callers
// see only the Bus interface of bus/bus.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus {

struct BusOptions {
  std::string url;             // log:<dir> | kafka://host:port[,host:port]
  int32_t partitions = kDefaultPartitions;  // for topics created on first use
  // Embedded log only.
  std::string sync = "always";                // always | interval-ms=N | never
  uint64_t segment_bytes = 64ull << 20;       // roll a segment at this size
  int64_t retention_ms = -1;                  // delete segments older than this; -1 = keep
  int64_t retention_bytes = -1;               // per partition; -1 = unbounded
  // Kafka only: librdkafka properties passed through (TLS, SASL, tuning).
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  // Borrowed; must outlive the Bus.
  Clock* clock = RealClock();
  io::FileSystem* fs = io::PosixFileSystem();
};

// kInvalidArgument for an unknown scheme or malformed URL (the message shows
// the accepted forms); errors of the backend otherwise.
Result<std::unique_ptr<Bus>> OpenBus(const BusOptions& options);

}  // namespace pinpipe::bus
