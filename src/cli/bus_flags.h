// The bus options every bus-using subcommand shares (--bus, --topic,
// --partitions, --sync, --kafka-property), defined once.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "bus/open_bus.h"
#include "cli/command.h"

namespace pinpipe::cli {

struct BusFlags {
  std::string bus;  // empty: DefaultBusUrl(globals)
  std::string topic = "pins";
  int32_t partitions = bus::kDefaultPartitions;
  std::string sync = "always";
  std::vector<std::string> kafka_properties;  // key=value
};

// Adds the options to `sub`, bound to `flags` (which must outlive parsing).
void AddBusFlags(CLI::App* sub, BusFlags* flags);

// BusOptions for OpenBus; kInvalidArgument for a malformed --kafka-property.
Result<bus::BusOptions> MakeBusOptions(const BusFlags& flags, const GlobalOptions& globals);

}  // namespace pinpipe::cli
