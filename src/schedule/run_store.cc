// RunStore over the shared SQLite wrapper; every statement binds its values.
#include "schedule/run_store.h"

#include <signal.h>

#include <cerrno>

#include "sinks/sqlite/sqlite_db.h"

namespace pinpipe::schedule {

using sinks::sqlite::SqliteDb;
using sinks::sqlite::Statement;

namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS dag_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dag_id TEXT NOT NULL,
  logical_date TEXT NOT NULL,
  trigger TEXT NOT NULL,
  state TEXT NOT NULL,
  owner_pid INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  UNIQUE (dag_id, logical_date)
);
CREATE TABLE IF NOT EXISTS task_runs (
  run_id INTEGER NOT NULL REFERENCES dag_runs(id),
  task_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  exit_code INTEGER,
  log_path TEXT,
  PRIMARY KEY (run_id, task_id, attempt)
);
CREATE TABLE IF NOT EXISTS scheduler_state (
  dag_id TEXT PRIMARY KEY,
  last_fire_time INTEGER NOT NULL
);
)sql";

RunState ParseState(std::string_view s) {
  if (s == "queued") return RunState::kQueued;
  if (s == "running") return RunState::kRunning;
  if (s == "success") return RunState::kSuccess;
  return RunState::kFailed;
}

std::optional<int64_t> OptInt(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.ColumnInt(col);
}

Status BindOpt(Statement& st, int index, std::optional<int64_t> v) {
  return v ? st.BindInt(index, *v) : st.BindNull(index);
}

}  // namespace

std::string_view RunStateName(RunState s) {
  switch (s) {
    case RunState::kQueued: return "queued";
    case RunState::kRunning: return "running";
    case RunState::kSuccess: return "success";
    case RunState::kFailed: return "failed";
  }
  return "failed";
}

RunStore::RunStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
RunStore::~RunStore() = default;

Result<std::unique_ptr<RunStore>> RunStore::Open(const std::string& path) {
  PINPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  PINPIPE_RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<RunStore>(new RunStore(std::move(db)));
}

Result<int64_t> RunStore::Enqueue(const std::string& dag_id, const std::string& date,
                                  const std::string& trigger, UnixMicros now) {
  PINPIPE_ASSIGN_OR_RETURN(Statement ins, db_->Prepare(
      "INSERT INTO dag_runs (dag_id, logical_date, trigger, state, created_at) VALUES (?1, ?2, ?3, 'queued', ?4) "
      "ON CONFLICT (dag_id, logical_date) DO UPDATE SET state = 'queued', trigger = excluded.trigger, "
      "owner_pid = NULL, started_at = NULL, finished_at = NULL "
      "WHERE dag_runs.state IN ('success', 'failed') AND excluded.trigger <> 'scheduled'"));
  PINPIPE_RETURN_IF_ERROR(ins.BindText(1, dag_id));
  PINPIPE_RETURN_IF_ERROR(ins.BindText(2, date));
  PINPIPE_RETURN_IF_ERROR(ins.BindText(3, trigger));
  PINPIPE_RETURN_IF_ERROR(ins.BindInt(4, now));
  PINPIPE_RETURN_IF_ERROR(ins.Run());
  PINPIPE_ASSIGN_OR_RETURN(Statement q,
                           db_->Prepare("SELECT id FROM dag_runs WHERE dag_id = ?1 AND logical_date = ?2"));
  PINPIPE_RETURN_IF_ERROR(q.BindText(1, dag_id));
  PINPIPE_RETURN_IF_ERROR(q.BindText(2, date));
  PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("run for " + date + " vanished after insert");
  return q.ColumnInt(0);
}

Result<std::optional<DagRun>> RunStore::ClaimNext(const std::string& dag_id, int owner_pid, UnixMicros now) {
  PINPIPE_RETURN_IF_ERROR(db_->Begin());
  auto claim = [&]() -> Result<std::optional<DagRun>> {
    PINPIPE_ASSIGN_OR_RETURN(Statement q, db_->Prepare(
        "SELECT id, logical_date, trigger FROM dag_runs WHERE dag_id = ?1 AND state = 'queued' "
        "ORDER BY logical_date LIMIT 1"));
    PINPIPE_RETURN_IF_ERROR(q.BindText(1, dag_id));
    PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return std::optional<DagRun>();
    DagRun run{.id = q.ColumnInt(0), .dag_id = dag_id, .logical_date = std::string(q.ColumnText(1)),
               .trigger = std::string(q.ColumnText(2)), .state = RunState::kRunning,
               .started_at = now, .finished_at = std::nullopt};
    PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
        "UPDATE dag_runs SET state = 'running', owner_pid = ?2, started_at = ?3 WHERE id = ?1"));
    PINPIPE_RETURN_IF_ERROR(u.BindInt(1, run.id));
    PINPIPE_RETURN_IF_ERROR(u.BindInt(2, owner_pid));
    PINPIPE_RETURN_IF_ERROR(u.BindInt(3, now));
    PINPIPE_RETURN_IF_ERROR(u.Run());
    return std::optional<DagRun>(std::move(run));
  };
  auto result = claim();
  if (!result.ok()) {
    (void)db_->Rollback();
    return result;
  }
  PINPIPE_RETURN_IF_ERROR(db_->Commit());
  return result;
}

Result<int> RunStore::RequeueOrphans(const std::string& dag_id) {
  PINPIPE_ASSIGN_OR_RETURN(Statement q, db_->Prepare(
      "SELECT id, owner_pid FROM dag_runs WHERE dag_id = ?1 AND state = 'running'"));
  PINPIPE_RETURN_IF_ERROR(q.BindText(1, dag_id));
  std::vector<int64_t> orphans;
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    int64_t pid = q.IsNull(1) ? 0 : q.ColumnInt(1);
    bool alive = pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
    if (!alive) orphans.push_back(q.ColumnInt(0));
  }
  PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
      "UPDATE dag_runs SET state = 'queued', owner_pid = NULL WHERE id = ?1 AND state = 'running'"));
  for (int64_t id : orphans) {
    PINPIPE_RETURN_IF_ERROR(u.BindInt(1, id));
    PINPIPE_RETURN_IF_ERROR(u.Run());
  }
  return static_cast<int>(orphans.size());
}

Status RunStore::FinishRun(int64_t run_id, RunState state, UnixMicros now) {
  PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
      "UPDATE dag_runs SET state = ?2, finished_at = ?3, owner_pid = NULL WHERE id = ?1"));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(1, run_id));
  PINPIPE_RETURN_IF_ERROR(u.BindText(2, RunStateName(state)));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(3, now));
  return u.Run();
}

Status RunStore::StartAttempt(const TaskAttempt& a) {
  PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
      "INSERT OR REPLACE INTO task_runs (run_id, task_id, attempt, state, started_at, log_path) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(1, a.run_id));
  PINPIPE_RETURN_IF_ERROR(u.BindText(2, a.task_id));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(3, a.attempt));
  PINPIPE_RETURN_IF_ERROR(u.BindText(4, RunStateName(a.state)));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(5, a.started_at));
  PINPIPE_RETURN_IF_ERROR(u.BindText(6, a.log_path));
  return u.Run();
}

Status RunStore::FinishAttempt(const TaskAttempt& a) {
  PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
      "UPDATE task_runs SET state = ?4, finished_at = ?5, exit_code = ?6 "
      "WHERE run_id = ?1 AND task_id = ?2 AND attempt = ?3"));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(1, a.run_id));
  PINPIPE_RETURN_IF_ERROR(u.BindText(2, a.task_id));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(3, a.attempt));
  PINPIPE_RETURN_IF_ERROR(u.BindText(4, RunStateName(a.state)));
  PINPIPE_RETURN_IF_ERROR(BindOpt(u, 5, a.finished_at));
  PINPIPE_RETURN_IF_ERROR(BindOpt(u, 6, a.exit_code));
  return u.Run();
}

Result<std::vector<DagRun>> RunStore::ListRuns(const std::string& dag_id, int limit) {
  PINPIPE_ASSIGN_OR_RETURN(Statement q, db_->Prepare(
      "SELECT id, logical_date, trigger, state, started_at, finished_at FROM dag_runs "
      "WHERE dag_id = ?1 ORDER BY logical_date DESC, id DESC LIMIT ?2"));
  PINPIPE_RETURN_IF_ERROR(q.BindText(1, dag_id));
  PINPIPE_RETURN_IF_ERROR(q.BindInt(2, limit));
  std::vector<DagRun> out;
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({.id = q.ColumnInt(0), .dag_id = dag_id, .logical_date = std::string(q.ColumnText(1)),
                   .trigger = std::string(q.ColumnText(2)), .state = ParseState(q.ColumnText(3)),
                   .started_at = OptInt(q, 4), .finished_at = OptInt(q, 5)});
  }
  return out;
}

Result<std::vector<TaskAttempt>> RunStore::ListAttempts(int64_t run_id) {
  PINPIPE_ASSIGN_OR_RETURN(Statement q, db_->Prepare(
      "SELECT task_id, attempt, state, started_at, finished_at, exit_code, log_path FROM task_runs "
      "WHERE run_id = ?1 ORDER BY rowid"));
  PINPIPE_RETURN_IF_ERROR(q.BindInt(1, run_id));
  std::vector<TaskAttempt> out;
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto code = OptInt(q, 5);
    out.push_back({.run_id = run_id, .task_id = std::string(q.ColumnText(0)),
                   .attempt = static_cast<int>(q.ColumnInt(1)), .state = ParseState(q.ColumnText(2)),
                   .started_at = q.ColumnInt(3), .finished_at = OptInt(q, 4),
                   .exit_code = code ? std::optional<int>(static_cast<int>(*code)) : std::nullopt,
                   .log_path = std::string(q.ColumnText(6))});
  }
  return out;
}

Result<std::optional<UnixMicros>> RunStore::LastFireTime(const std::string& dag_id) {
  PINPIPE_ASSIGN_OR_RETURN(Statement q,
                           db_->Prepare("SELECT last_fire_time FROM scheduler_state WHERE dag_id = ?1"));
  PINPIPE_RETURN_IF_ERROR(q.BindText(1, dag_id));
  PINPIPE_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<UnixMicros>();
  return std::optional<UnixMicros>(q.ColumnInt(0));
}

Status RunStore::SetLastFireTime(const std::string& dag_id, UnixMicros t) {
  PINPIPE_ASSIGN_OR_RETURN(Statement u, db_->Prepare(
      "INSERT INTO scheduler_state (dag_id, last_fire_time) VALUES (?1, ?2) "
      "ON CONFLICT (dag_id) DO UPDATE SET last_fire_time = excluded.last_fire_time"));
  PINPIPE_RETURN_IF_ERROR(u.BindText(1, dag_id));
  PINPIPE_RETURN_IF_ERROR(u.BindInt(2, t));
  return u.Run();
}

}  // namespace pinpipe::schedule
