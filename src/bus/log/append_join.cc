// AppendJoin: fan-in of per-thread completions.
#include "bus/log/append_join.h"

namespace pinpipe::bus::log {

void AppendJoin::PartDone(const Status& status) {
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    if (first_error_.ok()) first_error_ = status;
  }
  // acq_rel: the last share sees every other share's positions and error.
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Status error;
  {
    std::lock_guard lock(mu_);
    error = first_error_;
  }
  AppendCallback done = std::move(done_);
  if (error.ok()) {
    done(std::move(positions_));
  } else {
    done(error);
  }
}

}  // namespace pinpipe::bus::log
