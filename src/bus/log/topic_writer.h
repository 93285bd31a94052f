// The single writer of one topic in this process: holds the topic's LOCK file
// (one writer process per topic), a PartitionWriter per partition, and the
// group-commit threads; publishes watermarks to the TopicState and to the
// watermarks file for reader processes.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/log/commit_worker.h"
#include "bus/log/log_options.h"
#include "bus/log/partition_writer.h"
#include "bus/log/topic_state.h"
#include "bus/log/watermark_publisher.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

// Thread-safe. Shared by the bus and every Producer of the topic (whichever
// goes last closes it). Must not be destroyed from inside an append callback.
class TopicWriter {
 public:
  // Takes the topic's lock (kUnavailable naming the lock file when another
  // process writes the topic), recovers every partition, attaches to `state`.
  static Result<std::shared_ptr<TopicWriter>> Open(const LogOptions& options, const std::string& topic,
                                                   std::shared_ptr<TopicState> state);
  // Drains queued appends, syncs, writes final watermarks, detaches, unlocks.
  ~TopicWriter();

  // Producer::Append semantics (bus.h).
  void Submit(std::span<const Message> messages, AppendCallback done);
  // Applies retention now on every partition.
  Status RunRetention();
  int32_t partitions() const { return static_cast<int32_t>(writers_.size()); }

 private:
  TopicWriter(const LogOptions& options, std::string topic_dir, std::shared_ptr<TopicState> state);
  void Publish(const std::vector<PartitionMark>& marks);
  void PublishStart(PartitionId partition, Offset start);
  CommitWorker& WorkerFor(PartitionId p) { return *workers_[static_cast<size_t>(p) % workers_.size()]; }
  void Reject(AppendCallback done, Status status);

  LogOptions options_;
  std::string topic_dir_;
  std::shared_ptr<TopicState> state_;
  std::unique_ptr<io::FileLock> lock_;
  std::vector<std::unique_ptr<PartitionWriter>> writers_;
  std::vector<std::unique_ptr<CommitWorker>> workers_;
  std::atomic<uint64_t> pending_bytes_{0};
  std::mutex marks_mu_;  // guards marks_
  std::vector<Watermark> marks_;
  std::unique_ptr<WatermarkPublisher> publisher_;
  bool attached_ = false;  // recovery finished and the state shows our marks
};

}  // namespace pinpipe::bus::log
