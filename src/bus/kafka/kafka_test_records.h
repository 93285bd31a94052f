// Test-only helpers shared by bus/kafka's unit tests and the Kafka
// integration tests: make keyed records, append and wait for the callback,
// read until a count is reached. Header-only; not part of the library.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.h"

namespace pinpipe::bus::kafka::testing {

struct TestRecord {
  std::string key;
  std::string value;
  UnixMicros timestamp = 0;
};

// `n` records with UUID-shaped keys, JSON values and distinct microsecond
// timestamps; `tag` keeps batches apart.
inline std::vector<TestRecord> MakeRecords(int n, const std::string& tag,
                                           UnixMicros first_ts = 1'795'000'000'000'001) {
  std::vector<TestRecord> out;
  for (int i = 0; i < n; ++i) {
    char key[40];
    std::snprintf(key, sizeof key, "%08x-0000-4000-8000-%012d",
                  static_cast<unsigned>(std::hash<std::string>{}(tag)), i);
    out.push_back(TestRecord{key,
                             "{\"unique_id\":\"" + std::string(key) + "\",\"tag\":\"" + tag +
                                 "\",\"i\":" + std::to_string(i) + "}",
                             first_ts + i * 1001});
  }
  return out;
}

inline std::vector<Message> AsMessages(const std::vector<TestRecord>& records) {
  std::vector<Message> out;
  for (const TestRecord& r : records) out.push_back(Message{r.key, r.value, r.timestamp});
  return out;
}

// Appends and waits for the callback (at most `timeout`; then kCancelled).
inline Result<std::vector<Position>> AppendAndWait(
    Producer& producer, const std::vector<TestRecord>& records,
    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto promise = std::make_shared<std::promise<Result<std::vector<Position>>>>();
  auto future = promise->get_future();
  std::vector<Message> messages = AsMessages(records);
  producer.Append(messages, [promise](Result<std::vector<Position>> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Status::Cancelled("append callback did not run in time");
  }
  return future.get();
}

// Polls until `count` records arrived, an error, or `timeout`.
inline Result<std::vector<Record>> ReadRecords(Consumer& consumer, size_t count,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::vector<Record> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    PINPIPE_ASSIGN_OR_RETURN(std::vector<Record> batch,
                             consumer.Poll(count - out.size(), std::chrono::milliseconds(200)));
    for (Record& r : batch) out.push_back(std::move(r));
  }
  return out;
}

// Assignment map: every partition of `infos` from its start offset.
inline std::map<PartitionId, Offset> FromStart(const std::vector<PartitionInfo>& infos) {
  std::map<PartitionId, Offset> out;
  for (const PartitionInfo& p : infos) out[p.partition] = p.start_offset;
  return out;
}

}  // namespace pinpipe::bus::kafka::testing
