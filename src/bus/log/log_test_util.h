// Test helpers for the log's unit tests (header-only, never in the library):
// open a bus on a temp dir, append synchronously, read everything back.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "bus/log/log_bus.h"

namespace pinpipe::bus::log::testutil {

inline LogOptions SmallLog(const std::string& dir, int32_t partitions = 4) {
  LogOptions options;
  options.dir = dir;
  options.default_partitions = partitions;
  options.segment_bytes = 64 << 10;
  options.index_interval_bytes = 1024;
  return options;
}

inline std::unique_ptr<LogBus> MustOpen(const LogOptions& options) {
  auto bus = LogBus::Open(options);
  EXPECT_TRUE(bus.ok()) << bus.status().ToString();
  return bus.ok() ? std::move(bus).value() : nullptr;
}

// Appends and waits for the callback.
inline Result<std::vector<Position>> AppendSync(Producer& producer, const std::vector<Message>& messages) {
  std::promise<Result<std::vector<Position>>> done;
  auto future = done.get_future();
  producer.Append(messages, [&done](Result<std::vector<Position>> r) { done.set_value(std::move(r)); });
  return future.get();
}

inline std::string Value(int i, size_t size = 64) {
  std::string v = "{\"n\":" + std::to_string(i) + ",\"pad\":\"";
  while (v.size() + 2 < size) v += static_cast<char>('a' + (i + static_cast<int>(v.size())) % 26);
  return v + "\"}";
}

// Reads every partition from its start until `expected` records arrived or
// the deadline passed.
inline Result<std::vector<Record>> ReadAll(Bus& bus, const std::string& topic, size_t expected,
                                           std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  PINPIPE_ASSIGN_OR_RETURN(auto infos, bus.DescribeTopic(topic));
  PINPIPE_ASSIGN_OR_RETURN(auto consumer, bus.NewConsumer(topic));
  std::map<PartitionId, Offset> from;
  for (const PartitionInfo& info : infos) from[info.partition] = info.start_offset;
  PINPIPE_RETURN_IF_ERROR(consumer->Assign(from));
  std::vector<Record> all;
  auto until = std::chrono::steady_clock::now() + deadline;
  while (all.size() < expected && std::chrono::steady_clock::now() < until) {
    PINPIPE_ASSIGN_OR_RETURN(auto batch, consumer->Poll(1000, std::chrono::milliseconds(50)));
    for (Record& r : batch) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace pinpipe::bus::log::testutil
