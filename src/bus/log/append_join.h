// The completion of one Producer::Append whose messages may span several
// group-commit threads: each thread reports its share, the last one to finish
// calls the caller's callback with every position (or the first error).
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "bus/bus.h"

namespace pinpipe::bus::log {

// Thread-safe.
class AppendJoin {
 public:
  AppendJoin(size_t messages, int shares, AppendCallback done)
      : positions_(messages), remaining_(shares), done_(std::move(done)) {}

  // Written by the thread that owns that message's partition, before PartDone.
  void SetPosition(size_t message_index, Position position) { positions_[message_index] = position; }

  // One share finished (OK or with its error). The last share calls back.
  void PartDone(const Status& status);

 private:
  std::vector<Position> positions_;
  std::atomic<int> remaining_;
  std::mutex mu_;
  Status first_error_;
  AppendCallback done_;
};

}  // namespace pinpipe::bus::log
