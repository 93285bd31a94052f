// Consumer of the embedded log: reads assigned partitions from the caller's
// offsets up to the acknowledged end. With a writer in this process it waits
// on the TopicState; otherwise it polls the topic's watermarks file with a
// bounded backoff (io::FileSystem has no change notification, and a poll of a
// tiny file every few ms costs nothing measurable).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/log/log_options.h"
#include "bus/log/partition_reader.h"
#include "bus/log/topic_files.h"
#include "bus/log/topic_state.h"

namespace pinpipe::bus::log {

// Reads a topic's watermarks for a reader: the in-process writer's when
// attached, else the watermarks file, else (file missing or damaged) derived
// from the segment files. Keeps the last good answer.
class WatermarkSource {
 public:
  WatermarkSource(io::FileSystem* fs, std::string topic_dir, std::shared_ptr<TopicState> state)
      : fs_(fs), topic_dir_(std::move(topic_dir)), state_(std::move(state)) {}
  Result<std::vector<Watermark>> Current();
  const std::shared_ptr<TopicState>& state() const { return state_; }

 private:
  Result<std::vector<Watermark>> FromSegments();

  io::FileSystem* fs_;
  std::string topic_dir_;
  std::shared_ptr<TopicState> state_;
  std::vector<Watermark> last_;
};

// Externally serialized (one polling thread).
class LogConsumer final : public Consumer {
 public:
  LogConsumer(const LogOptions& options, std::string topic_dir, std::shared_ptr<TopicState> state);

  Status Assign(const std::map<PartitionId, Offset>& next_offsets) override;
  Result<std::vector<Record>> Poll(size_t max_records, std::chrono::milliseconds timeout) override;

 private:
  struct Cursor {
    PartitionId partition;
    std::unique_ptr<PartitionReader> reader;
    Offset next;
  };
  // Reads what is available now; kOutOfRange for a cursor outside [start, end].
  Status ReadAvailable(const std::vector<Watermark>& marks, size_t max, std::vector<Record>* out);

  LogOptions options_;
  std::string topic_dir_;
  WatermarkSource source_;
  std::vector<Cursor> cursors_;
  size_t round_robin_ = 0;
};

}  // namespace pinpipe::bus::log
