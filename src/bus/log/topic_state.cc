// TopicState: published watermarks plus change notification.
#include "bus/log/topic_state.h"

namespace pinpipe::bus::log {

void TopicState::Attach(const std::vector<Watermark>& marks) {
  {
    std::lock_guard lock(mu_);
    marks_ = marks;
    writer_attached_ = true;
    ++version_;
  }
  changed_.notify_all();
}

void TopicState::Detach() {
  {
    std::lock_guard lock(mu_);
    writer_attached_ = false;
    ++version_;
  }
  changed_.notify_all();
}

void TopicState::Publish(PartitionId partition, Watermark mark) {
  {
    std::lock_guard lock(mu_);
    marks_[static_cast<size_t>(partition)] = mark;
    ++version_;
  }
  changed_.notify_all();
}

void TopicState::PublishAll(const std::vector<Watermark>& marks) {
  {
    std::lock_guard lock(mu_);
    marks_ = marks;
    ++version_;
  }
  changed_.notify_all();
}

TopicState::View TopicState::Snapshot() const {
  std::lock_guard lock(mu_);
  return View{writer_attached_, version_, marks_};
}

void TopicState::WaitForChange(uint64_t seen, std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  changed_.wait_until(lock, deadline, [&] { return version_ != seen; });
}

}  // namespace pinpipe::bus::log
