// Producer of the embedded log: hands appends to the topic's writer and
// counts those not yet called back, for Flush.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "bus/bus.h"
#include "bus/log/topic_writer.h"

namespace pinpipe::bus::log {

// Thread-safe. The destructor waits for every append to call back.
class LogProducer final : public Producer {
 public:
  explicit LogProducer(std::shared_ptr<TopicWriter> writer)
      : writer_(std::move(writer)), in_flight_(std::make_shared<InFlight>()) {}
  ~LogProducer() override;

  void Append(std::span<const Message> messages, AppendCallback done) override;
  // Waits for every Append that returned before this call. kUnavailable when
  // the timeout passes first.
  Status Flush(std::chrono::milliseconds timeout) override;

 private:
  // Appends count into the slot of the current epoch; Flush moves new
  // appends to the other slot and waits for its slot to drain. No lock on
  // the append path. Shared with the callbacks.
  struct InFlight {
    std::atomic<uint64_t> epoch{0};
    std::array<std::atomic<int64_t>, 2> outstanding{};
    std::atomic<int> flushers{0};
    std::mutex mu;  // Flush callers; wakeups
    std::condition_variable cv;
  };

  std::shared_ptr<TopicWriter> writer_;
  std::shared_ptr<InFlight> in_flight_;
};

}  // namespace pinpipe::bus::log
