// Scheduling loop, run execution and retries.
#include "schedule/scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/log.h"
#include "schedule/task_process.h"

namespace pinpipe::schedule {

Scheduler::Scheduler(SchedulerOptions options, DagSpec dag, RunStore* store, Clock* clock, Waiter wait,
                     const std::atomic<bool>* cancel)
    : options_(std::move(options)),
      dag_(std::move(dag)),
      store_(store),
      clock_(clock),
      wait_(std::move(wait)),
      cancel_(cancel) {}

Result<UnixMicros> Scheduler::NextFireTime() const { return dag_.schedule.Next(clock_->NowMicros()); }

Result<int> Scheduler::EnqueueDue() {
  UnixMicros now = clock_->NowMicros();
  PINPIPE_ASSIGN_OR_RETURN(std::optional<UnixMicros> last, store_->LastFireTime(dag_.id));
  if (!last) {
    // No history: nothing is invented. Start from now, or, when asked, from
    // just before the latest fire time of the past two days.
    last = now;
    if (options_.run_latest_on_first_start) {
      for (UnixMicros t = now - 2 * kMicrosPerDay;;) {
        auto next = dag_.schedule.Next(t);
        if (!next.ok() || *next > now) break;
        last = *next - 1;
        t = *next;
      }
    }
  }
  std::vector<UnixMicros> due;
  for (UnixMicros t = *last;;) {
    auto next = dag_.schedule.Next(t);
    if (!next.ok() || *next > now) break;
    due.push_back(*next);
    t = *next;
  }
  if (due.size() > static_cast<size_t>(options_.max_catch_up)) {
    core::Log("scheduler").warn("event=catch_up_capped dag={} missed={} enqueued={}", dag_.id, due.size(),
                                options_.max_catch_up);
    due.erase(due.begin(), due.end() - options_.max_catch_up);
  }
  for (UnixMicros t : due) {
    std::string date = LogicalDateFor(t);
    PINPIPE_RETURN_IF_ERROR(store_->Enqueue(dag_.id, date, "scheduled", now).status());
    core::Log("scheduler").info("event=run_queued dag={} date={} fire_time={}", dag_.id, date,
                                FormatRfc3339Micros(t));
  }
  PINPIPE_RETURN_IF_ERROR(store_->SetLastFireTime(dag_.id, due.empty() ? *last : due.back()));
  return static_cast<int>(due.size());
}

Result<int> Scheduler::RunQueued() {
  PINPIPE_ASSIGN_OR_RETURN(int orphans, store_->RequeueOrphans(dag_.id));
  if (orphans > 0) core::Log("scheduler").warn("event=orphan_runs_requeued dag={} count={}", dag_.id, orphans);
  int succeeded = 0;
  while (cancel_ == nullptr || !cancel_->load()) {
    PINPIPE_ASSIGN_OR_RETURN(std::optional<DagRun> run,
                             store_->ClaimNext(dag_.id, static_cast<int>(::getpid()), clock_->NowMicros()));
    if (!run) break;
    core::Log("scheduler").info("event=run_started dag={} date={} trigger={}", dag_.id, run->logical_date,
                                run->trigger);
    PINPIPE_ASSIGN_OR_RETURN(RunState state, ExecuteRun(*run));
    PINPIPE_RETURN_IF_ERROR(store_->FinishRun(run->id, state, clock_->NowMicros()));
    core::Log("scheduler").info("event=run_finished dag={} date={} state={}", dag_.id, run->logical_date,
                                RunStateName(state));
    if (state == RunState::kSuccess) ++succeeded;
  }
  return succeeded;
}

Result<RunState> Scheduler::ExecuteRun(const DagRun& run) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<const TaskSpec*> order, TopologicalOrder(dag_));
  for (const TaskSpec* task : order) {
    PINPIPE_ASSIGN_OR_RETURN(bool ok, ExecuteTask(run, *task));
    if (!ok) return RunState::kFailed;  // downstream tasks do not run
  }
  return RunState::kSuccess;
}

int64_t Scheduler::RetryDelayMicros(int attempt) const {
  int64_t seconds = options_.retry_base_seconds;
  for (int i = 1; i < attempt && seconds < options_.retry_max_seconds; ++i) seconds *= 2;
  return std::min(seconds, options_.retry_max_seconds) * kMicrosPerSecond;
}

Result<bool> Scheduler::ExecuteTask(const DagRun& run, const TaskSpec& task) {
  std::string dir = options_.log_dir + "/" + dag_.id + "/" + run.logical_date;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create task log dir " + dir + ": " + ec.message());
  std::vector<std::string> argv{options_.program};
  for (std::string& a : ExpandArgs(task.args, run.logical_date)) argv.push_back(std::move(a));
  for (int attempt = 1; attempt <= 1 + task.max_retries; ++attempt) {
    if (attempt > 1 && !wait_(RetryDelayMicros(attempt - 1))) return false;
    TaskAttempt a{.run_id = run.id, .task_id = task.id, .attempt = attempt, .state = RunState::kRunning,
                  .started_at = clock_->NowMicros(), .finished_at = std::nullopt, .exit_code = std::nullopt,
                  .log_path = dir + "/" + task.id + "." + std::to_string(attempt) + ".log"};
    PINPIPE_RETURN_IF_ERROR(store_->StartAttempt(a));
    TaskProcessOptions popts{.timeout = std::chrono::seconds(task.timeout_seconds),
                             .kill_grace = std::chrono::seconds(10), .cancel = cancel_};
    PINPIPE_ASSIGN_OR_RETURN(TaskOutcome outcome, RunTaskProcess(argv, a.log_path, popts));
    a.finished_at = clock_->NowMicros();
    a.exit_code = outcome.exit_code;
    a.state = outcome.exit_code == 0 ? RunState::kSuccess : RunState::kFailed;
    PINPIPE_RETURN_IF_ERROR(store_->FinishAttempt(a));
    core::Log("scheduler").info("event=task_finished dag={} date={} task={} attempt={} exit_code={}{} log={}",
                                dag_.id, run.logical_date, task.id, attempt, outcome.exit_code,
                                outcome.timed_out ? " timed_out=true" : "", a.log_path);
    if (a.state == RunState::kSuccess) return true;
    if (outcome.cancelled) return false;
  }
  return false;
}

Status Scheduler::RunForever() {
  while (cancel_ == nullptr || !cancel_->load()) {
    PINPIPE_RETURN_IF_ERROR(EnqueueDue().status());
    PINPIPE_RETURN_IF_ERROR(RunQueued().status());
    PINPIPE_ASSIGN_OR_RETURN(UnixMicros next, NextFireTime());
    core::Log("scheduler").info("event=sleeping dag={} next_fire_time={}", dag_.id, FormatRfc3339Micros(next));
    // Wake at least once a minute so manual triggers from `pinpipe dag trigger --enqueue-only` run promptly.
    int64_t wait = std::min<int64_t>(next - clock_->NowMicros(), 60 * kMicrosPerSecond);
    if (!wait_(std::max<int64_t>(wait, 0))) break;
  }
  return Status::Ok();
}

}  // namespace pinpipe::schedule
