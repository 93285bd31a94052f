// Run history of the scheduler in SQLite: one row per (dag, logical date)
// run and one per task attempt, plus each DAG's last fire time, so catch-up,
// retries and `pinpipe dag runs` survive restarts.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace pinpipe::sinks::sqlite {
class SqliteDb;
}

namespace pinpipe::schedule {

enum class RunState { kQueued, kRunning, kSuccess, kFailed };
std::string_view RunStateName(RunState s);  // queued, running, success, failed

struct DagRun {
  int64_t id = 0;
  std::string dag_id;
  std::string logical_date;  // YYYY-MM-DD
  std::string trigger;       // scheduled | manual | backfill
  RunState state = RunState::kQueued;
  std::optional<UnixMicros> started_at;
  std::optional<UnixMicros> finished_at;
};

struct TaskAttempt {
  int64_t run_id = 0;
  std::string task_id;
  int attempt = 1;
  RunState state = RunState::kRunning;
  UnixMicros started_at = 0;
  std::optional<UnixMicros> finished_at;
  std::optional<int> exit_code;
  std::string log_path;
};

// Externally serialized (one thread); several processes may share the file
// (SQLite locking; claims are atomic).
class RunStore {
 public:
  static Result<std::unique_ptr<RunStore>> Open(const std::string& path);
  ~RunStore();

  // Queues a run for (dag, date). An existing queued/running run is left as
  // it is; a finished one is queued again unless `trigger` is "scheduled".
  // Returns the run id.
  Result<int64_t> Enqueue(const std::string& dag_id, const std::string& date, const std::string& trigger,
                          UnixMicros now);
  // Atomically moves the oldest queued run (by date) of `dag_id` to running,
  // owned by `owner_pid`. nullopt when none is queued.
  Result<std::optional<DagRun>> ClaimNext(const std::string& dag_id, int owner_pid, UnixMicros now);
  // Queues again runs left `running` by owners that no longer exist.
  Result<int> RequeueOrphans(const std::string& dag_id);
  Status FinishRun(int64_t run_id, RunState state, UnixMicros now);

  Status StartAttempt(const TaskAttempt& attempt);
  Status FinishAttempt(const TaskAttempt& attempt);

  // Newest first.
  Result<std::vector<DagRun>> ListRuns(const std::string& dag_id, int limit);
  Result<std::vector<TaskAttempt>> ListAttempts(int64_t run_id);

  // The last fire time the scheduler enqueued for `dag_id`.
  Result<std::optional<UnixMicros>> LastFireTime(const std::string& dag_id);
  Status SetLastFireTime(const std::string& dag_id, UnixMicros t);

 private:
  explicit RunStore(std::unique_ptr<sinks::sqlite::SqliteDb> db);
  std::unique_ptr<sinks::sqlite::SqliteDb> db_;
};

}  // namespace pinpipe::schedule
