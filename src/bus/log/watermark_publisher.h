// Keeps the topic's watermarks file current for reader processes: appends a
// record at most once per interval on its own thread (so group commit never
// waits on it), and starts the file afresh when it grows past a size.
// Appending (not rewriting) matters on ext4: a truncate-and-rewrite or a
// rename over the file makes close() start writeback every time.
// The file only ever trails the durable state (docs/log-format.md).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/log/topic_files.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

// Thread-safe. Owns its thread (started in the constructor, joined by Stop or
// the destructor after a last write of the newest marks).
class WatermarkPublisher {
 public:
  static constexpr uint64_t kRotateBytes = 1 << 20;

  WatermarkPublisher(io::FileSystem* fs, std::string topic_dir, std::chrono::microseconds interval);
  ~WatermarkPublisher();
  WatermarkPublisher(const WatermarkPublisher&) = delete;
  WatermarkPublisher& operator=(const WatermarkPublisher&) = delete;

  // The newest marks; REQUIRES: durable (per sync policy) before this call.
  void Update(const std::vector<Watermark>& marks);
  void Stop();

 private:
  void Run();
  void Write(const std::vector<Watermark>& marks);

  io::FileSystem* fs_;
  std::string topic_dir_;
  std::chrono::microseconds interval_;
  std::unique_ptr<io::WritableFile> file_;  // publisher thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Watermark> marks_;
  bool dirty_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace pinpipe::bus::log
