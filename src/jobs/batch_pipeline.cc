// BatchPipeline: one mutex, one condition variable; every change notifies all.
#include "jobs/batch_pipeline.h"

namespace pinpipe::jobs {

bool BatchPipeline::Push(int64_t sequence, size_t object, BatchChunk* chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto window = static_cast<int64_t>(slots_.size());
  cv_.wait(lock, [&] { return !error_.ok() || sequence < next_ + window; });
  if (!error_.ok()) return false;
  slots_[static_cast<size_t>(sequence % window)].emplace(Item{std::move(*chunk), object});
  if (spent_.empty()) {
    *chunk = BatchChunk();
  } else {
    *chunk = std::move(spent_.back());
    spent_.pop_back();
  }
  cv_.notify_all();
  return true;
}

void BatchPipeline::SetCount(int64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  count_ = count;
  cv_.notify_all();
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
  std::optional<Item>* slot = &slots_[static_cast<size_t>(next_ % static_cast<int64_t>(slots_.size()))];
  cv_.wait(lock, [&] { return !error_.ok() || next_ == count_ || slot->has_value(); });
  if (!error_.ok()) return error_;
  if (next_ == count_) return std::optional<Item>();
  std::optional<Item> item = std::move(*slot);
  slot->reset();
  ++next_;
  cv_.notify_all();
  return item;
}

}  // namespace pinpipe::jobs
