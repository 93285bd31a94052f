// The scheduler: enqueues a DAG run for every cron fire time (catching up on
// missed ones after downtime), then executes queued runs task by task in
// dependency order, retrying failed tasks with capped exponential backoff.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "schedule/dag.h"
#include "schedule/run_store.h"

namespace pinpipe::schedule {

struct SchedulerOptions {
  std::string program;  // the pinpipe binary each task runs
  std::string log_dir;  // task logs: <log_dir>/<dag>/<date>/<task>.<attempt>.log
  int64_t retry_base_seconds = 30;  // wait before retry n: base * 2^(n-1), capped
  int64_t retry_max_seconds = 600;
  int max_catch_up = 7;  // missed fire times enqueued at most after downtime
  // With no history, also run the latest fire time of the past two days
  // (a fresh install processes yesterday at once) instead of waiting.
  bool run_latest_on_first_start = false;
};

// Waits up to `micros` (or until stopped); returns false when stopped.
using Waiter = std::function<bool(int64_t micros)>;

// Owned by one thread. Borrowed pointers must outlive it.
class Scheduler {
 public:
  Scheduler(SchedulerOptions options, DagSpec dag, RunStore* store, Clock* clock, Waiter wait,
            const std::atomic<bool>* cancel);

  // Enqueues runs for fire times after the last one recorded, up to now.
  // Returns how many runs were queued.
  Result<int> EnqueueDue();
  // Claims and executes queued runs until none is left (or cancelled).
  // Returns how many runs finished successfully.
  Result<int> RunQueued();
  // EnqueueDue + RunQueued forever, sleeping until the next fire time.
  Status RunForever();
  // The next fire time after now.
  Result<UnixMicros> NextFireTime() const;

  const DagSpec& dag() const { return dag_; }

 private:
  Result<RunState> ExecuteRun(const DagRun& run);
  Result<bool> ExecuteTask(const DagRun& run, const TaskSpec& task);
  int64_t RetryDelayMicros(int attempt) const;

  SchedulerOptions options_;
  DagSpec dag_;
  RunStore* store_;
  Clock* clock_;
  Waiter wait_;
  const std::atomic<bool>* cancel_;
};

}  // namespace pinpipe::schedule
