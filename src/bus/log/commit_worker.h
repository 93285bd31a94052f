// Group commit for a set of partitions, as a two-stage pipeline:
//  - the writer thread takes every queued append, frames the records, writes
//    each partition once and hands the batch to the sync thread; it also runs
//    the callbacks of batches the sync thread finished;
//  - sync threads (one by default) fdatasync each partition the pending
//    batches touched, publish the new watermarks and pass the batches back.
//    With more than one, a new fdatasync starts while the previous is still
//    in flight, and a finished one completes every batch written before it
//    began (on the 2-core test machine one measured best).
// So one fdatasync covers every append written before it, and neither
// writing nor callbacks delay the next fdatasync. Policies other than
// `always` publish and acknowledge right after the write.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "bus/log/append_join.h"
#include "bus/log/log_options.h"
#include "bus/log/partition_writer.h"
#include "bus/log/topic_files.h"

namespace pinpipe::bus::log {

// One Append's share for one worker: owned copies of its messages.
struct AppendWork {
  struct Item {
    PartitionId partition = 0;
    uint32_t message_index = 0;  // position in the Append's span
    size_t key_pos = 0;          // in arena
    uint32_t key_len = 0;
    uint32_t value_len = 0;      // the value follows the key in arena
    UnixMicros timestamp = 0;
  };
  std::shared_ptr<AppendJoin> join;
  Status status;  // set before queueing to reject; else the write's and sync's outcome
  std::string arena;
  std::vector<Item> items;
  uint64_t bytes = 0;  // counted in the topic's pending bytes until done
};

using PartitionMark = std::pair<PartitionId, Watermark>;

// Thread-safe: Enqueue and RunRetention from any thread. Owns its two
// threads, started by the constructor and joined by Stop()/the destructor
// after the queue drains.
class CommitWorker {
 public:
  struct Context {
    SyncPolicy sync;
    Clock* clock = nullptr;
    bool retention_enabled = false;
    std::chrono::milliseconds retention_check{30'000};
    int sync_threads = 1;  // policy `always`
    // New end (and start) marks, once records are durable per policy, before their callbacks.
    std::function<void(const std::vector<PartitionMark>&)> publish;
    // A new start offset after retention (the end stays as published).
    std::function<void(PartitionId, Offset)> publish_start;
    // The bytes of each finished AppendWork.
    std::function<void(uint64_t)> release;
  };

  // `writers` are borrowed for the worker's life, indexed by partition id
  // (null for partitions other workers own).
  CommitWorker(Context context, std::vector<PartitionWriter*> writers);
  ~CommitWorker();
  CommitWorker(const CommitWorker&) = delete;
  CommitWorker& operator=(const CommitWorker&) = delete;

  void Enqueue(std::unique_ptr<AppendWork> work);
  // Applies retention to this worker's partitions now and waits for it.
  Status RunRetention();
  // Drains the queue and the pipeline, syncs and stops the threads. Idempotent.
  void Stop();
  bool IsWorkerThread() const;

 private:
  using Works = std::vector<std::unique_ptr<AppendWork>>;
  // A written batch waiting for its fdatasync.
  struct Written {
    uint64_t id = 0;  // increasing in write order
    Works works;
    std::vector<PartitionWriter*> touched;
    std::vector<PartitionMark> marks;  // ends right after the write
  };

  void WriterLoop();
  void SyncLoop();
  // Frames and writes; returns the partitions written (failed ones excluded from marks).
  Written WriteBatch(Works works);
  void Complete(Works* works);
  void SyncDirty();
  Status ApplyRetention();

  Context ctx_;
  std::vector<PartitionWriter*> writers_;
  std::vector<PartitionWriter*> owned_;  // the non-null writers_
  std::mutex mu_;
  std::condition_variable work_cv_;       // writer thread: appends, finished batches, retention, stop
  std::condition_variable sync_cv_;       // sync thread: written batches, stop
  std::condition_variable retention_cv_;  // RunRetention callers; Stop's drain
  Works queue_;
  Works completed_;               // synced, callbacks not yet run
  std::deque<Written> to_sync_;  // written, no sync started for them yet
  std::deque<Written> taken_;    // a sync thread is syncing them (ids ascending)
  uint64_t next_id_ = 1;
  std::mutex publish_mu_;        // orders publishing between sync threads
  uint64_t published_upto_ = 0;  // guarded by publish_mu_
  bool stop_ = false;
  bool sync_stop_ = false;
  uint64_t retention_requested_ = 0;
  uint64_t retention_done_ = 0;
  Status retention_status_;
  // Writer-thread state.
  bool dirty_ = false;  // written but not synced (interval / never)
  std::chrono::steady_clock::time_point last_sync_;
  std::vector<std::thread> sync_threads_;
  std::thread writer_thread_;
};

}  // namespace pinpipe::bus::log
