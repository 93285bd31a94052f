// StreamCommitter: a one-slot hand-off to a commit worker.
#include "jobs/stream_committer.h"

namespace pinpipe::jobs {

StreamCommitter::StreamCommitter(std::string topic, sinks::LiveSink* sink, Clock* clock,
                                 StreamMetrics* metrics, bool threaded)
    : topic_(std::move(topic)), sink_(sink), clock_(clock), metrics_(metrics) {
  if (threaded) worker_ = std::thread([this] { WorkerLoop(); });
}

StreamCommitter::~StreamCommitter() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void StreamCommitter::Submit(StreamBatch batch) {
  PINPIPE_CHECK(!batch.empty());
  if (!worker_.joinable()) {
    if (failed()) return;
    Commit(batch);
    return;
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !pending_.has_value(); });
  if (!error_.ok()) return;  // dropped: built on a batch that failed
  pending_.emplace(std::move(batch));
  cv_.notify_all();
}

void StreamCommitter::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !pending_.has_value() && !busy_; });
}

Status StreamCommitter::TakeError() {
  std::lock_guard lock(mu_);
  Status st = std::move(error_);
  error_ = Status::Ok();
  return st;
}

bool StreamCommitter::failed() {
  std::lock_guard lock(mu_);
  return !error_.ok();
}

std::optional<sinks::PositionMap> StreamCommitter::committed() {
  std::lock_guard lock(mu_);
  return committed_;
}

StreamCommitter::Totals StreamCommitter::totals() {
  std::lock_guard lock(mu_);
  return totals_;
}

void StreamCommitter::WorkerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return shutdown_ || pending_.has_value(); });
    if (!pending_.has_value()) return;  // shutdown with nothing left
    StreamBatch batch = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    cv_.notify_all();  // the slot is free: the reader may hand over the next batch
    lock.unlock();
    Commit(batch);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void StreamCommitter::Commit(StreamBatch& batch) {
  {
    std::lock_guard lock(mu_);
    if (!error_.ok()) return;
  }
  int64_t started = clock_->MonotonicMicros();
  Status st = sink_->CommitBatch(batch.View(topic_));
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = st;
    return;
  }
  UnixMicros now = clock_->NowMicros();
  metrics_->commit_seconds.Observe(static_cast<double>(clock_->MonotonicMicros() - started) / 1e6);
  metrics_->batches.Inc();
  metrics_->batch_records.Observe(static_cast<double>(batch.records()));
  metrics_->records_read.Inc(static_cast<double>(batch.records()));
  metrics_->rows_committed.Inc(static_cast<double>(batch.rows().size()));
  metrics_->duplicates.Inc(static_cast<double>(batch.collapsed()));
  for (int i = 0; i < pin::kRejectReasonCount; ++i) {
    if (batch.rejects()[i] > 0) {
      metrics_->Rejects(static_cast<pin::RejectReason>(i)).Inc(static_cast<double>(batch.rejects()[i]));
    }
  }
  for (const sinks::LiveRow& row : batch.rows()) {
    metrics_->end_to_end.Observe(static_cast<double>(now - *row.record.ingested_at) / 1e6);
  }
  metrics_->last_commit.Set(static_cast<double>(now) / 1e6);
  std::lock_guard lock(mu_);
  committed_ = batch.PositionsAfter();
  totals_.records += static_cast<int64_t>(batch.records());
  totals_.rows += static_cast<int64_t>(batch.rows().size());
  totals_.dead_letters += static_cast<int64_t>(batch.dead().size());
  totals_.batches += 1;
}

}  // namespace pinpipe::jobs
