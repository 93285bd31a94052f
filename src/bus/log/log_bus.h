// The embedded durable log as a Bus: a directory of topics, each a directory
// of partitions of segment files (docs/log-format.md). One writer process per
// topic (a lock file), any number of reader threads and processes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bus/bus.h"
#include "bus/log/log_options.h"
#include "bus/log/topic_state.h"
#include "bus/log/topic_writer.h"

namespace pinpipe::bus::log {

// Thread-safe. Producers and consumers it hands out may outlive it.
class LogBus final : public Bus {
 public:
  // kInvalidArgument for bad options; creates the directory if missing.
  static Result<std::unique_ptr<LogBus>> Open(const LogOptions& options);

  Status CreateTopic(const std::string& topic, int32_t partitions) override;
  Result<std::vector<PartitionInfo>> DescribeTopic(const std::string& topic) override;
  // Creates the topic on first use (options.default_partitions) and becomes
  // its writer: kUnavailable when another process is.
  Result<std::unique_ptr<Producer>> NewProducer(const std::string& topic) override;
  // Creates the topic on first use too, so a reader may start first.
  Result<std::unique_ptr<Consumer>> NewConsumer(const std::string& topic) override;

  // Applies retention to a topic this process writes, now (it also runs
  // every retention_check_ms). kFailedPrecondition-like kUnavailable when no
  // producer of the topic is open here.
  Status RunRetention(const std::string& topic);

  const LogOptions& options() const { return options_; }

 private:
  explicit LogBus(const LogOptions& options) : options_(options) {}
  struct TopicEntry {
    std::shared_ptr<TopicState> state;
    std::weak_ptr<TopicWriter> writer;
  };
  // The topic's entry, created from its metadata; kNotFound if it has none.
  Result<TopicEntry*> Entry(const std::string& topic);
  Status EnsureTopic(const std::string& topic);

  LogOptions options_;
  std::mutex mu_;
  std::map<std::string, TopicEntry> topics_;
};

}  // namespace pinpipe::bus::log
