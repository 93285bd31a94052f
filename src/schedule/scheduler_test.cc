#include "schedule/scheduler.h"

#include <gtest/gtest.h>

#include "subprocess.h"
#include "test_time.h"

namespace pinpipe::schedule {
namespace {

using pinpipe::testing::ReadFile;
using pinpipe::testing::TempDir;

using testing::At;

// A DAG of shell tasks that append "<task> <date>" lines to a trace file.
DagSpec ShellDag(const std::string& trace, const std::string& middle_script = "exit 0") {
  DagSpec dag{.id = "test_dag", .description = "", .schedule = *CronSchedule::Parse("0 8 * * *"), .tasks = {}};
  auto step = [&](std::string id, std::vector<std::string> up, std::string script) {
    dag.tasks.push_back({id, std::move(up), {"-c", "echo " + id + " {date} >> " + trace + "; " + script}, 2, 30});
  };
  step("first", {}, "exit 0");
  step("middle", {"first"}, middle_script);
  step("last", {"middle"}, "exit 0");
  return dag;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = RunStore::Open(dir_.File("scheduler.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  Scheduler Make(DagSpec dag, SchedulerOptions options = {}) {
    options.program = "/bin/sh";
    options.log_dir = dir_.File("logs");
    return Scheduler(options, std::move(dag), store_.get(), &clock_,
                     [this](int64_t micros) {
                       waits_.push_back(micros);
                       return true;
                     },
                     &cancel_);
  }
  TempDir dir_;
  std::unique_ptr<RunStore> store_;
  ManualClock clock_{At("2026-11-26T09:00:00Z")};
  std::vector<int64_t> waits_;
  std::atomic<bool> cancel_{false};
};

TEST_F(SchedulerTest, FirstStartInventsNoHistory) {
  Scheduler s = Make(ShellDag(dir_.File("trace")));
  EXPECT_EQ(*s.EnqueueDue(), 0);
  clock_.Set(At("2026-11-27T08:00:30Z"));
  EXPECT_EQ(*s.EnqueueDue(), 1);
  auto runs = store_->ListRuns("test_dag", 10);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].logical_date, "2026-11-26");
}

TEST_F(SchedulerTest, RunLatestOnFirstStart) {
  SchedulerOptions options;
  options.run_latest_on_first_start = true;
  Scheduler s = Make(ShellDag(dir_.File("trace")), options);
  EXPECT_EQ(*s.EnqueueDue(), 1);
  EXPECT_EQ((*store_->ListRuns("test_dag", 10))[0].logical_date, "2026-11-25");
  EXPECT_EQ(*s.EnqueueDue(), 0);  // not twice
}

TEST_F(SchedulerTest, CatchesUpMissedFireTimesUpToTheCap) {
  ASSERT_TRUE(store_->SetLastFireTime("test_dag", At("2026-11-16T08:00:00Z")).ok());
  SchedulerOptions options;
  options.max_catch_up = 3;
  Scheduler s = Make(ShellDag(dir_.File("trace")), options);
  EXPECT_EQ(*s.EnqueueDue(), 3);
  auto runs = *store_->ListRuns("test_dag", 10);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].logical_date, "2026-11-25");
  EXPECT_EQ(runs[2].logical_date, "2026-11-23");
}

TEST_F(SchedulerTest, RunsTasksInOrderForEachQueuedDate) {
  Scheduler s = Make(ShellDag(dir_.File("trace")));
  ASSERT_TRUE(store_->Enqueue("test_dag", "2026-11-24", "backfill", clock_.NowMicros()).ok());
  ASSERT_TRUE(store_->Enqueue("test_dag", "2026-11-23", "backfill", clock_.NowMicros()).ok());
  EXPECT_EQ(*s.RunQueued(), 2);
  EXPECT_EQ(ReadFile(dir_.File("trace")),
            "first 2026-11-23\nmiddle 2026-11-23\nlast 2026-11-23\n"
            "first 2026-11-24\nmiddle 2026-11-24\nlast 2026-11-24\n");
  auto runs = store_->ListRuns("test_dag", 10);  // kept alive: the loop must not outlive it
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  for (const DagRun& run : *runs) EXPECT_EQ(run.state, RunState::kSuccess);
}

TEST_F(SchedulerTest, RetriesWithExponentialBackoffThenSucceeds) {
  // The middle task fails twice, then succeeds (a counter file counts tries).
  std::string counter = dir_.File("count");
  std::string script = "echo x >> " + counter + "; [ $(wc -l < " + counter + ") -ge 3 ]";
  Scheduler s = Make(ShellDag(dir_.File("trace"), script));
  int64_t id = *store_->Enqueue("test_dag", "2026-11-25", "manual", clock_.NowMicros());
  EXPECT_EQ(*s.RunQueued(), 1);
  EXPECT_EQ(waits_, (std::vector<int64_t>{30 * kMicrosPerSecond, 60 * kMicrosPerSecond}));
  auto attempts = *store_->ListAttempts(id);
  ASSERT_EQ(attempts.size(), 5u);  // first, middle x3, last
  EXPECT_EQ(attempts[1].task_id, "middle");
  EXPECT_EQ(attempts[1].exit_code, 1);
  EXPECT_EQ(attempts[3].attempt, 3);
  EXPECT_EQ(attempts[3].state, RunState::kSuccess);
}

TEST_F(SchedulerTest, FailedTaskStopsTheRunAndDownstream) {
  Scheduler s = Make(ShellDag(dir_.File("trace"), "echo broken on purpose; exit 3"));
  int64_t id = *store_->Enqueue("test_dag", "2026-11-25", "manual", clock_.NowMicros());
  EXPECT_EQ(*s.RunQueued(), 0);
  EXPECT_EQ((*store_->ListRuns("test_dag", 1))[0].state, RunState::kFailed);
  auto attempts = *store_->ListAttempts(id);
  ASSERT_EQ(attempts.size(), 4u);  // first + 3 tries of middle; last never ran
  for (const auto& a : attempts) EXPECT_NE(a.task_id, "last");
  EXPECT_NE(ReadFile(attempts.back().log_path).find("broken on purpose"), std::string::npos);
}

TEST_F(SchedulerTest, TimeoutKillsTheTask) {
  DagSpec dag = ShellDag(dir_.File("trace"));
  dag.tasks = {{"slow", {}, {"-c", "sleep 30"}, 0, 1}};
  Scheduler s = Make(std::move(dag));
  int64_t id = *store_->Enqueue("test_dag", "2026-11-25", "manual", clock_.NowMicros());
  EXPECT_EQ(*s.RunQueued(), 0);
  auto attempts = *store_->ListAttempts(id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].state, RunState::kFailed);
  EXPECT_GE(*attempts[0].exit_code, 128);
}

TEST_F(SchedulerTest, ManualTriggerRerunsAFinishedDateButScheduleDoesNot) {
  Scheduler s = Make(ShellDag(dir_.File("trace")));
  int64_t id = *store_->Enqueue("test_dag", "2026-11-25", "scheduled", clock_.NowMicros());
  EXPECT_EQ(*s.RunQueued(), 1);
  EXPECT_EQ(*store_->Enqueue("test_dag", "2026-11-25", "scheduled", clock_.NowMicros()), id);
  EXPECT_EQ(*s.RunQueued(), 0);
  EXPECT_EQ(*store_->Enqueue("test_dag", "2026-11-25", "manual", clock_.NowMicros()), id);
  EXPECT_EQ(*s.RunQueued(), 1);
}

TEST_F(SchedulerTest, OrphanedRunsAreRequeued) {
  ASSERT_TRUE(store_->Enqueue("test_dag", "2026-11-25", "manual", clock_.NowMicros()).ok());
  // Claimed by a process id that cannot exist (above pid_max).
  auto claimed = store_->ClaimNext("test_dag", 1 << 30, clock_.NowMicros());
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_FALSE(store_->ClaimNext("test_dag", 1, clock_.NowMicros())->has_value());
  EXPECT_EQ(*store_->RequeueOrphans("test_dag"), 1);
  Scheduler s = Make(ShellDag(dir_.File("trace")));
  EXPECT_EQ(*s.RunQueued(), 1);
}

TEST(DagTest, DailyBatchOrderAndArgs) {
  auto dag = DailyBatchDag({.cron = "0 8 * * *", .common_args = {"--data-dir", "/d"}});
  ASSERT_TRUE(dag.ok());
  auto order = *TopologicalOrder(*dag);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0]->id, "land_flush");
  EXPECT_EQ(order[2]->id, "verify");
  EXPECT_EQ(ExpandArgs(order[1]->args, "2026-11-25"),
            (std::vector<std::string>{"--data-dir", "/d", "batch", "--date", "2026-11-25"}));
  EXPECT_EQ(LogicalDateFor(At("2026-11-27T08:00:00Z")), "2026-11-26");
}

TEST(DagTest, WithoutLandFlushBatchRunsFirst) {
  auto dag = DailyBatchDag({.cron = "0 8 * * *", .common_args = {}, .land_flush = false});
  ASSERT_TRUE(dag.ok());
  auto order = *TopologicalOrder(*dag);
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0]->id, "batch");
  EXPECT_TRUE(order[0]->upstream.empty());
}

TEST(DagTest, CyclesAndUnknownUpstreamsAreRejected) {
  DagSpec dag{.id = "d", .description = "", .schedule = *CronSchedule::Parse("@daily"), .tasks = {}};
  dag.tasks = {{"a", {"b"}, {}, 0, 1}, {"b", {"a"}, {}, 0, 1}};
  EXPECT_NE(TopologicalOrder(dag).status().message().find("cycle"), std::string::npos);
  dag.tasks = {{"a", {"zzz"}, {}, 0, 1}};
  EXPECT_NE(TopologicalOrder(dag).status().message().find("zzz"), std::string::npos);
}

}  // namespace
}  // namespace pinpipe::schedule
