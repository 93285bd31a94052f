// SIGINT/SIGTERM (cli::ShutdownSignal) as a std::stop_token for long-running
// jobs (land, stream): the first signal asks the job to drain and return; a
// second exits at once, which is safe for jobs that resume from durable positions.
#pragma once

#include <unistd.h>

#include <stop_token>
#include <thread>

#include "cli/shutdown_signal.h"
#include "core/log.h"

namespace pinpipe::cli {

class StopOnSignal {
 public:
  // `component` names the job in the log line written on the first signal.
  explicit StopOnSignal(const char* component) : signal_(ShutdownSignal::Install()) {
    watcher_ = std::jthread([this, component](std::stop_token self) {
      while (!self.stop_requested()) {
        if (!signal_.WaitFor(source_.stop_requested() ? 2 : 1, std::chrono::milliseconds(100))) continue;
        if (source_.stop_requested()) _exit(130);
        core::Log(component).info("event=stop_requested");
        source_.request_stop();
      }
    });
  }
  std::stop_token token() const { return source_.get_token(); }

 private:
  ShutdownSignal& signal_;
  std::stop_source source_;
  std::jthread watcher_;  // last: joined before the rest is destroyed
};

}  // namespace pinpipe::cli
