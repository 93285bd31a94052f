// The scheduler's wiring shared by `pinpipe scheduler`, `pinpipe dag …` and
// `pinpipe up`: its flags, and a context holding the run store and a
// Scheduler for the daily_batch DAG whose waits end on Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "cli/command.h"
#include "schedule/scheduler.h"

namespace pinpipe::cli {

struct SchedulerFlags {
  std::string state_db;  // default <data-dir>/scheduler.db
  std::string cron = "0 8 * * *";
  std::string bus, lake, warehouse;  // passed to tasks when set
  int retries = 2;
  int64_t task_timeout = 3600;
  int64_t retry_base = 30;
  int max_catch_up = 7;
};

void AddSchedulerFlags(CLI::App* sub, SchedulerFlags* flags);

// Everything a command needs to run the DAG; lives for the command's run.
struct SchedulerContext {
  std::unique_ptr<schedule::RunStore> store;
  std::unique_ptr<schedule::Scheduler> scheduler;
  std::atomic<bool> cancel{false};
};

// `land_flush` false leaves the land task out (a lander already runs in the
// same process). Waits end, and `cancel` is set, on the first Ctrl-C.
Result<std::unique_ptr<SchedulerContext>> MakeSchedulerContext(const SchedulerFlags& flags,
                                                               const GlobalOptions& globals, bool land_flush);

// Runs queued runs in this process; Ctrl-C cancels the running task.
int RunQueuedNow(SchedulerContext& ctx, std::string_view cmd);

}  // namespace pinpipe::cli
