// LogProducer: lock-free append accounting and Flush.
#include "bus/log/log_producer.h"

namespace pinpipe::bus::log {

LogProducer::~LogProducer() { (void)Flush(std::chrono::milliseconds::max()); }

void LogProducer::Append(std::span<const Message> messages, AppendCallback done) {
  const size_t slot = in_flight_->epoch.load(std::memory_order_acquire) & 1;
  in_flight_->outstanding[slot].fetch_add(1, std::memory_order_acq_rel);
  writer_->Submit(messages, [in_flight = in_flight_, slot, done = std::move(done)](
                                Result<std::vector<Position>> result) mutable {
    done(std::move(result));
    if (in_flight->outstanding[slot].fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        in_flight->flushers.load(std::memory_order_acquire) > 0) {
      std::lock_guard lock(in_flight->mu);
      in_flight->cv.notify_all();
    }
  });
}

Status LogProducer::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(in_flight_->mu);
  in_flight_->flushers.fetch_add(1);
  // Appends from now on count in the other slot; this one only drains. (A
  // slot may still hold appends an earlier, timed-out Flush left: waiting
  // for them too is merely conservative.)
  const size_t slot = in_flight_->epoch.fetch_add(1, std::memory_order_acq_rel) & 1;
  auto drained = [&] { return in_flight_->outstanding[slot].load(std::memory_order_acquire) == 0; };
  bool ok = true;
  if (timeout == std::chrono::milliseconds::max()) {
    in_flight_->cv.wait(lock, drained);
  } else {
    ok = in_flight_->cv.wait_for(lock, timeout, drained);
  }
  in_flight_->flushers.fetch_sub(1);
  if (ok) return Status::Ok();
  return Status::Unavailable("log flush timed out with " + std::to_string(in_flight_->outstanding[slot].load()) +
                             " appends not yet durable");
}

}  // namespace pinpipe::bus::log
