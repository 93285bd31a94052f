// Runs one task attempt as a child process with its output in a log file,
// a timeout, and cancellation: a task that hangs or is cancelled gets SIGTERM,
// then SIGKILL after a grace period.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace pinpipe::schedule {

struct TaskOutcome {
  int exit_code = -1;      // the child's exit code, or 128+signal
  bool timed_out = false;
  bool cancelled = false;
};

struct TaskProcessOptions {
  std::chrono::seconds timeout{3600};
  std::chrono::seconds kill_grace{10};
  // Polled while the child runs; when true the child is stopped.
  const std::atomic<bool>* cancel = nullptr;
};

// Starts `argv` (argv[0] is a path) with stdout and stderr appended to
// `log_path` and stdin from /dev/null, and waits for it. Errors only when the
// child cannot be started.
Result<TaskOutcome> RunTaskProcess(const std::vector<std::string>& argv, const std::string& log_path,
                                   const TaskProcessOptions& options);

}  // namespace pinpipe::schedule
