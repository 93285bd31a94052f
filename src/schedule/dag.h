// A DAG: tasks with upstream dependencies, run in dependency order for one
// logical date. `daily_batch` is pinpipe's: land-flush -> batch(dt) -> verify(dt),
// each task a `pinpipe` child process, each idempotent for its date.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "schedule/cron_schedule.h"

namespace pinpipe::schedule {

struct TaskSpec {
  std::string id;
  std::vector<std::string> upstream;  // task ids that must succeed first
  // Arguments after the program; "{date}" is replaced by the logical date.
  std::vector<std::string> args;
  int max_retries = 2;              // attempts = 1 + max_retries
  int64_t timeout_seconds = 3600;   // a try running longer is killed and fails
};

struct DagSpec {
  std::string id;
  std::string description;
  CronSchedule schedule;
  std::vector<TaskSpec> tasks;
};

// Tasks in an order where every task follows its upstream tasks (stable:
// declaration order among independent tasks). kInvalidArgument names an
// unknown upstream or a cycle.
Result<std::vector<const TaskSpec*>> TopologicalOrder(const DagSpec& dag);

// `args` with every "{date}" replaced.
std::vector<std::string> ExpandArgs(const std::vector<std::string>& args, const std::string& date);

struct DailyBatchSettings {
  std::string cron = "0 8 * * *";
  // Options passed to every task (e.g. --data-dir D --lake URL), before the subcommand's own.
  std::vector<std::string> common_args;
  int max_retries = 2;
  int64_t timeout_seconds = 3600;
  // False when a lander already runs continuously in the same deployment
  // (`pinpipe up`): a second lander on the same lake would race it.
  bool land_flush = true;
};

// land --once (flush what the bus holds into the lake) -> batch --date {date}
// -> batch --date {date} --verify (re-count the lake against the warehouse).
Result<DagSpec> DailyBatchDag(const DailyBatchSettings& settings);

// The logical date a fire time processes: the UTC day before it (a run at
// 2026-11-27T08:00Z cleans 2026-11-26, whose hours are complete by then).
std::string LogicalDateFor(UnixMicros fire_time);

}  // namespace pinpipe::schedule
