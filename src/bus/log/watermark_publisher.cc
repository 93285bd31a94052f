// WatermarkPublisher: rate-limited rewrites of the watermarks file.
#include "bus/log/watermark_publisher.h"

#include "core/log.h"

namespace pinpipe::bus::log {

WatermarkPublisher::WatermarkPublisher(io::FileSystem* fs, std::string topic_dir, std::chrono::microseconds interval)
    : fs_(fs), topic_dir_(std::move(topic_dir)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

WatermarkPublisher::~WatermarkPublisher() { Stop(); }

void WatermarkPublisher::Update(const std::vector<Watermark>& marks) {
  {
    std::lock_guard lock(mu_);
    marks_ = marks;
    dirty_ = true;
  }
  cv_.notify_one();
}

void WatermarkPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WatermarkPublisher::Write(const std::vector<Watermark>& marks) {
  Status st;
  if (file_ && file_->Size() < kRotateBytes) {
    st = file_->Append(EncodeWatermarks(marks));
  } else {
    file_.reset();
    st = WriteWatermarks(fs_, topic_dir_, marks);
    if (st.ok()) {
      auto file = fs_->NewAppendableFile(WatermarksPath(topic_dir_));
      if (file.ok()) file_ = std::move(file).value();
      st = file.status();
    }
  }
  if (!st.ok()) {
    file_.reset();  // start afresh next time
    core::Log("log").warn("event=watermarks_write_failed error={}", core::LogValue(st.ToString()));
  }
}

void WatermarkPublisher::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return dirty_ || stop_; });
    if (dirty_) {
      std::vector<Watermark> marks = marks_;
      dirty_ = false;
      lock.unlock();
      Write(marks);
      const auto next = std::chrono::steady_clock::now() + interval_;
      lock.lock();
      // Collect updates for one interval (unless stopping) before writing again.
      cv_.wait_until(lock, next, [&] { return stop_; });
    }
    if (stop_ && !dirty_) return;
  }
}

}  // namespace pinpipe::bus::log
