// CommitWorker: the writer loop, the sync loop, completion and retention.
#include "bus/log/commit_worker.h"

#include <algorithm>

#include "core/log.h"

namespace pinpipe::bus::log {

CommitWorker::CommitWorker(Context context, std::vector<PartitionWriter*> writers)
    : ctx_(std::move(context)), writers_(std::move(writers)) {
  for (PartitionWriter* w : writers_) {
    if (w != nullptr) owned_.push_back(w);
  }
  last_sync_ = std::chrono::steady_clock::now();
  const int syncers = ctx_.sync.mode == SyncPolicy::Mode::kAlways ? std::max(1, ctx_.sync_threads) : 0;
  for (int i = 0; i < syncers; ++i) sync_threads_.emplace_back([this] { SyncLoop(); });
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

CommitWorker::~CommitWorker() { Stop(); }

bool CommitWorker::IsWorkerThread() const {
  auto self = std::this_thread::get_id();
  if (self == writer_thread_.get_id()) return true;
  for (const std::thread& t : sync_threads_) {
    if (self == t.get_id()) return true;
  }
  return false;
}

void CommitWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_one();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(mu_);
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  for (std::thread& t : sync_threads_) {
    if (t.joinable()) t.join();
  }
}

void CommitWorker::Enqueue(std::unique_ptr<AppendWork> work) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = queue_.empty();
    queue_.push_back(std::move(work));
  }
  // A non-empty queue means the writer thread is busy and will look again.
  if (was_empty) work_cv_.notify_one();
}

Status CommitWorker::RunRetention() {
  std::unique_lock lock(mu_);
  uint64_t ticket = ++retention_requested_;
  work_cv_.notify_one();
  retention_cv_.wait(lock, [&] { return retention_done_ >= ticket || stop_; });
  return retention_done_ >= ticket ? retention_status_ : Status::Cancelled("log writer is closing");
}

void CommitWorker::WriterLoop() {
  using Clock = std::chrono::steady_clock;
  const bool always = ctx_.sync.mode == SyncPolicy::Mode::kAlways;
  const auto interval = std::chrono::milliseconds(ctx_.sync.interval_ms);
  auto next_retention = Clock::now() + ctx_.retention_check;
  Works batch;
  Works done;
  for (;;) {
    uint64_t retention_wanted = 0;
    bool stopping = false;
    {
      std::unique_lock lock(mu_);
      auto deadline = Clock::time_point::max();
      if (dirty_ && ctx_.sync.mode == SyncPolicy::Mode::kInterval) deadline = last_sync_ + interval;
      if (ctx_.retention_enabled) deadline = std::min(deadline, next_retention);
      work_cv_.wait_until(lock, deadline, [&] {
        return !queue_.empty() || !completed_.empty() || retention_requested_ > retention_done_ ||
               (stop_ && to_sync_.empty() && taken_.empty());
      });
      batch.swap(queue_);
      done.swap(completed_);
      retention_wanted = retention_requested_;
      // Stop once nothing is queued, being synced, or waiting for callbacks.
      stopping = stop_ && batch.empty() && done.empty() && to_sync_.empty() && taken_.empty();
    }
    if (!batch.empty()) {
      Written written = WriteBatch(std::move(batch));
      if (always) {
        {
          std::lock_guard lock(mu_);
          written.id = next_id_++;
          to_sync_.push_back(std::move(written));
        }
        sync_cv_.notify_one();
      } else {
        if (!written.marks.empty()) ctx_.publish(written.marks);
        Complete(&written.works);
      }
      batch.clear();
    }
    Complete(&done);
    const auto now = Clock::now();
    if (dirty_ && ctx_.sync.mode == SyncPolicy::Mode::kInterval && now >= last_sync_ + interval) SyncDirty();
    bool periodic = ctx_.retention_enabled && now >= next_retention;
    if (periodic || retention_wanted > 0) {
      Status st = Status::Ok();
      if (periodic || retention_wanted > retention_done_) st = ApplyRetention();
      if (periodic) next_retention = now + ctx_.retention_check;
      std::lock_guard lock(mu_);
      if (retention_wanted > retention_done_) {
        retention_done_ = retention_wanted;
        retention_status_ = st;
        retention_cv_.notify_all();
      }
    }
    if (stopping) break;
  }
  SyncDirty();
  std::lock_guard lock(mu_);
  retention_cv_.notify_all();
}

CommitWorker::Written CommitWorker::WriteBatch(Works works) {
  Written out;
  for (auto& work : works) {
    if (!work->status.ok()) continue;
    for (const AppendWork::Item& item : work->items) {
      PartitionWriter* w = writers_[static_cast<size_t>(item.partition)];
      std::string_view key(work->arena.data() + item.key_pos, item.key_len);
      std::string_view value(work->arena.data() + item.key_pos + item.key_len, item.value_len);
      Result<Offset> offset = w->Add(key, value, item.timestamp);
      if (offset.ok()) work->join->SetPosition(item.message_index, {item.partition, *offset});
      if (std::find(out.touched.begin(), out.touched.end(), w) == out.touched.end()) out.touched.push_back(w);
    }
  }
  for (PartitionWriter* w : out.touched) {
    (void)w->Write();  // a failure sticks in w->failed()
    if (w->failed().ok()) out.marks.push_back({w->partition(), {w->start_offset(), w->next_offset()}});
  }
  if (ctx_.sync.mode != SyncPolicy::Mode::kAlways && !out.touched.empty()) dirty_ = true;
  for (auto& work : works) {
    for (const AppendWork::Item& item : work->items) {
      if (!work->status.ok()) break;
      work->status = writers_[static_cast<size_t>(item.partition)]->failed();
    }
  }
  out.works = std::move(works);
  return out;
}

void CommitWorker::SyncLoop() {
  for (;;) {
    uint64_t last_id = 0;
    std::vector<PartitionWriter*> touched;
    {
      std::unique_lock lock(mu_);
      sync_cv_.wait(lock, [&] { return !to_sync_.empty() || sync_stop_; });
      if (to_sync_.empty()) return;
      while (!to_sync_.empty()) {
        taken_.push_back(std::move(to_sync_.front()));
        to_sync_.pop_front();
      }
      last_id = taken_.back().id;
      // Every partition not yet known durable: finishing first, this sync
      // completes the batches other sync threads are still working on.
      for (const Written& w : taken_) {
        for (PartitionWriter* p : w.touched) {
          if (std::find(touched.begin(), touched.end(), p) == touched.end()) touched.push_back(p);
        }
      }
    }
    std::vector<std::pair<PartitionId, Status>> synced;
    for (PartitionWriter* p : touched) synced.push_back({p->partition(), p->SyncWritten()});
    auto sync_status = [&](PartitionId id) {
      for (const auto& [p, st] : synced) {
        if (p == id) return st;
      }
      return Status::Internal("partition " + std::to_string(id) + " was not synced");
    };
    std::vector<Written> group;  // what this sync made durable and nobody completed yet
    {
      std::lock_guard lock(mu_);
      while (!taken_.empty() && taken_.front().id <= last_id) {
        group.push_back(std::move(taken_.front()));
        taken_.pop_front();
      }
    }
    if (group.empty()) continue;
    {
      std::lock_guard lock(publish_mu_);
      if (last_id > published_upto_) {
        std::vector<PartitionMark> marks;
        for (const Written& w : group) {
          for (const PartitionMark& m : w.marks) {
            if (!sync_status(m.first).ok()) continue;
            auto it = std::find_if(marks.begin(), marks.end(), [&](const PartitionMark& x) { return x.first == m.first; });
            if (it == marks.end()) {
              marks.push_back(m);
            } else {
              it->second = m.second;  // later batches end later
            }
          }
        }
        if (!marks.empty()) ctx_.publish(marks);
        published_upto_ = last_id;
      }
    }
    Works finished;
    for (Written& w : group) {
      for (auto& work : w.works) {
        for (const AppendWork::Item& item : work->items) {
          if (!work->status.ok()) break;
          work->status = sync_status(item.partition);
        }
        finished.push_back(std::move(work));
      }
    }
    {
      std::lock_guard lock(mu_);
      for (auto& work : finished) completed_.push_back(std::move(work));
    }
    work_cv_.notify_one();
  }
}

void CommitWorker::Complete(Works* works) {
  for (auto& work : *works) {
    work->join->PartDone(work->status);
    ctx_.release(work->bytes);
  }
  works->clear();
}

void CommitWorker::SyncDirty() {
  if (!dirty_) return;
  for (PartitionWriter* w : owned_) (void)w->Sync();
  dirty_ = false;
  last_sync_ = std::chrono::steady_clock::now();
}

Status CommitWorker::ApplyRetention() {
  Status first;
  const UnixMicros now = ctx_.clock->NowMicros();
  for (PartitionWriter* w : owned_) {
    Result<bool> moved = w->EnforceRetention(now);
    if (!moved.ok()) {
      core::Log("log").error("event=retention_failed partition={} error={}", w->partition(),
                             core::LogValue(moved.status().ToString()));
      if (first.ok()) first = moved.status();
      continue;
    }
    if (*moved) ctx_.publish_start(w->partition(), w->start_offset());
  }
  return first;
}

}  // namespace pinpipe::bus::log
