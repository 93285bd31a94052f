// Scheduler wiring shared by the scheduler, dag and up commands.
#include "cli/scheduler_context.h"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "cli/shutdown_signal.h"

namespace pinpipe::cli {

void AddSchedulerFlags(CLI::App* sub, SchedulerFlags* f) {
  sub->add_option("--state-db", f->state_db, "Run history database (default <data-dir>/scheduler.db)");
  sub->add_option("--cron", f->cron, "When daily_batch runs (UTC, 5 fields)")->capture_default_str();
  sub->add_option("--bus", f->bus, "Bus URL passed to tasks");
  sub->add_option("--lake", f->lake, "Lake URL passed to tasks");
  sub->add_option("--warehouse", f->warehouse, "Warehouse URL passed to tasks");
  sub->add_option("--retries", f->retries, "Retries per task")->check(CLI::Range(0, 20))->capture_default_str();
  sub->add_option("--task-timeout", f->task_timeout, "Seconds before a task try is killed")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--retry-base", f->retry_base, "Seconds before the first retry (doubles, max 600)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  sub->add_option("--max-catch-up", f->max_catch_up, "Missed runs to catch up after downtime")
      ->check(CLI::Range(0, 366))->capture_default_str();
}

namespace {
std::string SelfPath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("pinpipe");
}

}  // namespace

Result<std::unique_ptr<SchedulerContext>> MakeSchedulerContext(const SchedulerFlags& f, const GlobalOptions& g,
                                                               bool land_flush) {
  auto ctx = std::make_unique<SchedulerContext>();
  std::string db = f.state_db.empty() ? g.data_dir + "/scheduler.db" : f.state_db;
  if (f.state_db.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(g.data_dir, ec);
  }
  PINPIPE_ASSIGN_OR_RETURN(ctx->store, schedule::RunStore::Open(db));
  schedule::DailyBatchSettings settings{.cron = f.cron, .common_args = {"--data-dir", g.data_dir},
                                        .max_retries = f.retries, .timeout_seconds = f.task_timeout,
                                        .land_flush = land_flush};
  if (!g.config.empty()) settings.common_args.insert(settings.common_args.end(), {"--config", g.config});
  PINPIPE_ASSIGN_OR_RETURN(schedule::DagSpec dag, schedule::DailyBatchDag(settings));
  // Subcommand-level URLs go after the subcommand name: append to each task.
  for (auto& task : dag.tasks) {
    if (!f.lake.empty()) task.args.insert(task.args.end(), {"--lake", f.lake});
    if (!f.bus.empty() && task.id == "land_flush") task.args.insert(task.args.end(), {"--bus", f.bus});
    if (!f.warehouse.empty() && task.id != "land_flush") {
      task.args.insert(task.args.end(), {"--warehouse", f.warehouse});
    }
  }
  schedule::SchedulerOptions options{.program = SelfPath(), .log_dir = g.data_dir + "/task-logs",
                                     .retry_base_seconds = f.retry_base, .retry_max_seconds = 600,
                                     .max_catch_up = f.max_catch_up, .run_latest_on_first_start = false};
  SchedulerContext* raw = ctx.get();
  auto waiter = [raw](int64_t micros) {
    auto& sig = ShutdownSignal::Install();
    bool stopped = sig.WaitFor(1, std::chrono::milliseconds(micros / 1000));
    if (stopped) raw->cancel = true;
    return !stopped;
  };
  ctx->scheduler = std::make_unique<schedule::Scheduler>(options, std::move(dag), ctx->store.get(), RealClock(),
                                               waiter, &ctx->cancel);
  return ctx;
}

int RunQueuedNow(SchedulerContext& ctx, std::string_view cmd) {
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      if (ShutdownSignal::Install().WaitFor(1, std::chrono::milliseconds(200))) ctx.cancel = true;
    }
  });
  auto ok = ctx.scheduler->RunQueued();
  done = true;
  watcher.join();
  if (!ok.ok()) return ReportError(cmd, ok.status());
  return kExitOk;
}

}  // namespace pinpipe::cli
