// `pinpipe scheduler` and `pinpipe dag list|trigger|backfill|runs`: the daily
// workflow (land-flush -> batch -> verify) on a cron schedule, with history in
// SQLite and each task a child `pinpipe` process.
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/scheduler_context.h"
#include "cli/shutdown_signal.h"
#include "core/log.h"
#include "schedule/scheduler.h"

namespace pinpipe::cli {
namespace {

using schedule::DagRun;
using schedule::RunState;
using schedule::RunStore;
using schedule::Scheduler;

std::string Micros(std::optional<UnixMicros> t) { return t ? FormatRfc3339Micros(*t).substr(0, 19) + "Z" : "-"; }

int PrintRuns(RunStore& store, const std::string& dag_id, int limit, bool json) {
  auto runs = store.ListRuns(dag_id, limit);
  if (!runs.ok()) return ReportError("dag runs", runs.status());
  if (!json) std::printf("%-12s %-10s %-8s %-21s %-21s %s\n", "date", "trigger", "state", "started", "finished", "tasks");
  for (const DagRun& r : *runs) {
    auto attempts = store.ListAttempts(r.id);
    if (!attempts.ok()) return ReportError("dag runs", attempts.status());
    std::string tasks;
    for (const auto& a : *attempts) {
      tasks += (tasks.empty() ? "" : " ") + a.task_id + "#" + std::to_string(a.attempt) + "=" +
               std::string(schedule::RunStateName(a.state));
    }
    if (json) {
      std::printf("{\"dag\":\"%s\",\"date\":\"%s\",\"trigger\":\"%s\",\"state\":\"%s\",\"started\":\"%s\","
                  "\"finished\":\"%s\",\"tasks\":\"%s\"}\n",
                  dag_id.c_str(), r.logical_date.c_str(), r.trigger.c_str(),
                  std::string(schedule::RunStateName(r.state)).c_str(), Micros(r.started_at).c_str(),
                  Micros(r.finished_at).c_str(), tasks.c_str());
    } else {
      std::printf("%-12s %-10s %-8s %-21s %-21s %s\n", r.logical_date.c_str(), r.trigger.c_str(),
                  std::string(schedule::RunStateName(r.state)).c_str(), Micros(r.started_at).c_str(),
                  Micros(r.finished_at).c_str(), tasks.c_str());
    }
  }
  if (!json) std::printf("(%zu runs)\n", runs->size());
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupScheduler(CLI::App& app, const GlobalOptions& g) {
  auto flags = std::make_shared<SchedulerFlags>();
  auto once = std::make_shared<bool>(false);
  auto run_latest = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand("scheduler", "Run the daily workflow (land-flush -> batch -> verify) on a cron schedule");
  AddSchedulerFlags(sub, flags.get());
  sub->add_flag("--once", *once, "Queue what is due, run every queued run, then exit");
  sub->add_flag("--run-latest", *run_latest, "On a first start, also run the latest past fire time at once");
  sub->footer(
      "Runs are idempotent per date; missed runs are caught up after downtime (up to --max-catch-up);\n"
      "history and task logs live in <data-dir>/scheduler.db and <data-dir>/task-logs.\n"
      "Example:\n  pinpipe scheduler --cron '0 8 * * *'\n  pinpipe dag runs");
  return {sub, [flags, once, run_latest, &g]() -> int {
    auto ctx = MakeSchedulerContext(*flags, g, /*land_flush=*/true);
    if (!ctx.ok()) return ReportError("scheduler", ctx.status());
    ShutdownSignal::Install();
    if (*run_latest) {
      // Only meaningful before any history exists; EnqueueDue ignores it after.
      auto last = (*ctx)->store->LastFireTime("daily_batch");
      if (last.ok() && !last->has_value()) {
        auto next = (*ctx)->scheduler->NextFireTime();
        if (next.ok()) {
          std::string date = schedule::LogicalDateFor(*next - kMicrosPerDay);
          (void)(*ctx)->store->Enqueue("daily_batch", date, "manual", RealClock()->NowMicros());
        }
      }
    }
    if (*once) {
      auto due = (*ctx)->scheduler->EnqueueDue();
      if (!due.ok()) return ReportError("scheduler", due.status());
      return RunQueuedNow(**ctx, "scheduler");
    }
    core::Log("scheduler").info("event=started dag=daily_batch cron={}", flags->cron);
    Status st = (*ctx)->scheduler->RunForever();
    if (!st.ok()) return ReportError("scheduler", st);
    core::Log("scheduler").info("event=stopped");
    return kExitOk;
  }};
}

std::pair<CLI::App*, RunFn> SetupDag(CLI::App& app, const GlobalOptions& g) {
  auto flags = std::make_shared<SchedulerFlags>();
  auto date = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(20);
  auto json = std::make_shared<bool>(false);
  auto enqueue_only = std::make_shared<bool>(false);
  CLI::App* dag = app.add_subcommand("dag", "Inspect and operate the daily_batch DAG");
  dag->require_subcommand(1);
  CLI::App* list = dag->add_subcommand("list", "Show the DAG, its tasks, schedule and next run");
  CLI::App* trigger = dag->add_subcommand("trigger", "Run daily_batch for one date now (default: yesterday, UTC)");
  CLI::App* backfill = dag->add_subcommand("backfill", "Run daily_batch for every date in a range, oldest first");
  CLI::App* runs = dag->add_subcommand("runs", "Show run history with each task's attempts");
  for (CLI::App* s : {list, trigger, backfill, runs}) AddSchedulerFlags(s, flags.get());
  trigger->add_option("--date", *date, "Logical date YYYY-MM-DD");
  trigger->add_flag("--enqueue-only", *enqueue_only, "Only queue it for a running scheduler");
  backfill->add_option("--from", *from, "First date YYYY-MM-DD");
  backfill->add_option("--to", *to, "Last date YYYY-MM-DD (inclusive)");
  backfill->add_flag("--enqueue-only", *enqueue_only, "Only queue them for a running scheduler");
  runs->add_option("--limit", *limit, "How many runs")->capture_default_str();
  runs->add_flag("--json", *json, "One JSON object per run");
  dag->footer("Examples:\n  pinpipe dag list\n  pinpipe dag trigger --date 2026-11-25\n"
              "  pinpipe dag backfill --from 2026-11-01 --to 2026-11-25\n  pinpipe dag runs --limit 10");

  return {dag, [=, &g]() -> int {
    auto ctx = MakeSchedulerContext(*flags, g, /*land_flush=*/true);
    if (!ctx.ok()) return ReportError("dag", ctx.status());
    SchedulerContext& c = **ctx;
    const std::string dag_id = c.scheduler->dag().id;
    if (list->parsed()) {
      const auto& spec = c.scheduler->dag();
      auto next = c.scheduler->NextFireTime();
      std::printf("dag %s: %s\n  schedule: %s (UTC)  next: %s  runs date: the day before\n", spec.id.c_str(),
                  spec.description.c_str(), spec.schedule.text().c_str(),
                  next.ok() ? FormatRfc3339Micros(*next).c_str() : "never");
      for (const auto& t : spec.tasks) {
        std::string up;
        for (const auto& u : t.upstream) up += (up.empty() ? "" : ",") + u;
        std::string args;
        for (const auto& a : t.args) args += " " + a;
        std::printf("  task %-10s after [%s] retries=%d timeout=%llds: pinpipe%s\n", t.id.c_str(), up.c_str(),
                    t.max_retries, static_cast<long long>(t.timeout_seconds), args.c_str());
      }
      return kExitOk;
    }
    if (runs->parsed()) return PrintRuns(*c.store, dag_id, *limit, *json);
    std::vector<std::string> dates;
    std::string trigger_name = trigger->parsed() ? "manual" : "backfill";
    if (trigger->parsed()) {
      dates.push_back(date->empty() ? FormatDate(RealClock()->NowMicros() - kMicrosPerDay) : *date);
      if (!ParseDate(dates[0]).ok()) return UsageError("dag trigger", "--date wants YYYY-MM-DD, got '" + dates[0] + "'");
    } else {
      auto a = ParseDate(*from), b = ParseDate(*to);
      if (!a.ok() || !b.ok()) return UsageError("dag backfill", "--from and --to want dates YYYY-MM-DD");
      if (*b < *a) return UsageError("dag backfill", "--to is before --from");
      if ((*b - *a) / kMicrosPerDay > 3660) return UsageError("dag backfill", "range longer than 10 years");
      for (UnixMicros d = *a; d <= *b; d += kMicrosPerDay) dates.push_back(FormatDate(d));
    }
    for (const auto& d : dates) {
      auto id = c.store->Enqueue(dag_id, d, trigger_name, RealClock()->NowMicros());
      if (!id.ok()) return ReportError("dag", id.status());
    }
    std::fprintf(stderr, "pinpipe dag: queued %zu run(s) of %s\n", dates.size(), dag_id.c_str());
    if (*enqueue_only) return kExitOk;
    ShutdownSignal::Install();
    int rc = RunQueuedNow(c, "dag");
    if (rc != kExitOk) return rc;
    int failed = 0;
    auto recent = c.store->ListRuns(dag_id, static_cast<int>(dates.size()) + 50);
    for (const DagRun& r : recent.value_or({})) {
      if (std::find(dates.begin(), dates.end(), r.logical_date) != dates.end() && r.state != RunState::kSuccess) {
        std::fprintf(stderr, "pinpipe dag: run %s %s (see pinpipe dag runs and %s/task-logs)\n",
                     r.logical_date.c_str(), std::string(schedule::RunStateName(r.state)).c_str(), g.data_dir.c_str());
        ++failed;
      }
    }
    return failed == 0 ? kExitOk : kExitFailure;
  }};
}

PINPIPE_REGISTER_COMMAND(100, SetupScheduler);
PINPIPE_REGISTER_COMMAND(101, SetupDag);

}  // namespace
}  // namespace pinpipe::cli
