// BatchPipeline: one mutex, one condition variable; every change notifies all.
#include "jobs/batch_pipeline.h"

namespace pinpipe::jobs {

bool BatchPipeline::Push(size_t i, BatchChunk* chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !error_.ok() || i == current_ || queues_[i].size() < ahead_; });
  if (!error_.ok()) return false;
  queues_[i].push_back(std::move(*chunk));
  if (spent_.empty()) {
    *chunk = BatchChunk();
  } else {
    *chunk = std::move(spent_.back());
    spent_.pop_back();
  }
  cv_.notify_all();
  return true;
}

void BatchPipeline::Recycle(BatchChunk chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  spent_.push_back(std::move(chunk));
}

void BatchPipeline::Fail(Status error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok()) error_ = std::move(error);
  cv_.notify_all();
}

bool BatchPipeline::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !error_.ok();
}

Result<std::optional<BatchPipeline::Item>> BatchPipeline::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !error_.ok() || current_ == queues_.size() || !queues_[current_].empty(); });
  if (!error_.ok()) return error_;
  if (current_ == queues_.size()) return std::optional<Item>();
  Item item{std::move(queues_[current_].front()), current_};
  queues_[current_].pop_front();
  if (item.chunk.last) ++current_;
  cv_.notify_all();
  return std::optional<Item>(std::move(item));
}

}  // namespace pinpipe::jobs
