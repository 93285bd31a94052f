// The bus: named topics of P partitions holding keyed records at increasing
// offsets, shaped like Kafka so the embedded log (bus/log) and Apache Kafka
// (bus/kafka) fit the same interface. Consumers own their positions: the bus
// never commits for them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace pinpipe::bus {

using PartitionId = int32_t;
using Offset = int64_t;

// Partitions of a topic created on first use. Two: on one machine every
// partition of the embedded log is its own fdatasync per group commit on
// the same disk, so durable small appends slow as partitions grow (POST /pin
// with 64 connections on 2 cores: 1 partition ~53k req/s, 2 ~45-50k, 4
// ~35-40k), while two are what the consumers use there (the stream's two
// PostgreSQL lanes). Kafka's own default is one. --partitions overrides.
inline constexpr int32_t kDefaultPartitions = 2;

// Where a record sits: (partition, offset).
struct Position {
  PartitionId partition = 0;
  Offset offset = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// One record to append. Views are borrowed until Append returns.
struct Message {
  std::string_view key;    // unique_id; empty when unknown (partition 0 is used)
  std::string_view value;  // the raw record bytes, kept verbatim
  UnixMicros timestamp = 0;  // ingested_at
};

// One record read back.
struct Record {
  PartitionId partition = 0;
  Offset offset = 0;
  UnixMicros timestamp = 0;
  std::string key;
  std::string value;
};

struct PartitionInfo {
  PartitionId partition = 0;
  Offset start_offset = 0;  // first readable offset (retention moves it up)
  Offset end_offset = 0;    // offset the next append gets ("high watermark")
  uint64_t bytes = 0;       // bytes on disk, 0 when unknown
};

// The stable key -> partition map both backends use: Kafka's murmur2 (the
// Java client's default partitioner), so records keep their partition when a
// deployment moves from the embedded log to Kafka.
PartitionId PartitionForKey(std::string_view key, int32_t partitions);

// Called exactly once per Append call, on a bus thread: with the position of
// every message in order once all are durable, or with the first error. Keep
// it short (post to your own executor).
using AppendCallback = std::function<void(Result<std::vector<Position>>)>;

// Thread-safe: any number of threads may Append concurrently.
class Producer {
 public:
  virtual ~Producer() = default;
  // Appends `messages` (partition by PartitionForKey). `done` reports
  // durability: log fsync per its sync policy, or Kafka acks=all.
  // kResourceExhausted (via `done`) when the bus's queue is full.
  virtual void Append(std::span<const Message> messages, AppendCallback done) = 0;
  // Blocks until every Append so far has called back, or the timeout passes.
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
};

// Reads assigned partitions from caller-supplied offsets. Externally
// serialized (one thread polls).
class Consumer {
 public:
  virtual ~Consumer() = default;
  // Replaces the assignment: partition -> next offset to read.
  virtual Status Assign(const std::map<PartitionId, Offset>& next_offsets) = 0;
  // Returns up to `max_records` records, waiting up to `timeout` for the first
  // one (without busy-waiting). Empty when none arrived in time. Records of one
  // partition come in offset order. kOutOfRange when an assigned offset is
  // below the partition's start (retention deleted it) or above its end.
  virtual Result<std::vector<Record>> Poll(size_t max_records, std::chrono::milliseconds timeout) = 0;
};

// Thread-safe.
class Bus {
 public:
  virtual ~Bus() = default;
  // kAlreadyExists when the topic exists with another partition count.
  virtual Status CreateTopic(const std::string& topic, int32_t partitions) = 0;
  // kNotFound when the topic does not exist.
  virtual Result<std::vector<PartitionInfo>> DescribeTopic(const std::string& topic) = 0;
  virtual Result<std::unique_ptr<Producer>> NewProducer(const std::string& topic) = 0;
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& topic) = 0;
};

}  // namespace pinpipe::bus
