// What one process knows about a topic's readable range: the watermarks its
// in-process writer published, and a condition variable consumers wait on so
// they see new records as soon as they are acknowledged, without polling.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "bus/log/topic_files.h"

namespace pinpipe::bus::log {

// Thread-safe. Shared (shared_ptr) by the bus, the topic's writer and its
// consumers, since any of them may be destroyed first.
class TopicState {
 public:
  explicit TopicState(int32_t partitions) : partitions_(partitions), marks_(static_cast<size_t>(partitions)) {}

  int32_t partitions() const { return partitions_; }

  // The writer attaches after recovery with the recovered marks and detaches
  // when it closes; while attached, Snapshot() is authoritative.
  void Attach(const std::vector<Watermark>& marks);
  void Detach();

  // Sets one partition's marks and wakes waiting consumers. REQUIRES: one
  // mark per partition for PublishAll and Attach.
  void Publish(PartitionId partition, Watermark mark);
  void PublishAll(const std::vector<Watermark>& marks);

  struct View {
    bool writer_attached = false;
    uint64_t version = 0;  // bumps on every change
    std::vector<Watermark> marks;
  };
  View Snapshot() const;

  // Waits until the version differs from `seen` or `deadline` passes.
  void WaitForChange(uint64_t seen, std::chrono::steady_clock::time_point deadline) const;

 private:
  const int32_t partitions_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<Watermark> marks_;
  bool writer_attached_ = false;
  uint64_t version_ = 0;
};

}  // namespace pinpipe::bus::log
