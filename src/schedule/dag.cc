// DAG ordering and the built-in daily_batch DAG.
#include "schedule/dag.h"

#include <map>

namespace pinpipe::schedule {

Result<std::vector<const TaskSpec*>> TopologicalOrder(const DagSpec& dag) {
  std::map<std::string, const TaskSpec*> by_id;
  for (const TaskSpec& t : dag.tasks) {
    if (!by_id.emplace(t.id, &t).second) {
      return Status::InvalidArgument("dag " + dag.id + ": task '" + t.id + "' defined twice");
    }
  }
  for (const TaskSpec& t : dag.tasks) {
    for (const std::string& up : t.upstream) {
      if (!by_id.count(up)) {
        return Status::InvalidArgument("dag " + dag.id + ": task '" + t.id + "' needs unknown task '" + up + "'");
      }
    }
  }
  std::vector<const TaskSpec*> order;
  std::map<std::string, bool> placed;
  while (order.size() < dag.tasks.size()) {
    bool progressed = false;
    for (const TaskSpec& t : dag.tasks) {
      if (placed[t.id]) continue;
      bool ready = true;
      for (const std::string& up : t.upstream) ready = ready && placed[up];
      if (ready) {
        order.push_back(&t);
        placed[t.id] = true;
        progressed = true;
      }
    }
    if (!progressed) return Status::InvalidArgument("dag " + dag.id + ": tasks form a cycle");
  }
  return order;
}

std::vector<std::string> ExpandArgs(const std::vector<std::string>& args, const std::string& date) {
  std::vector<std::string> out;
  for (std::string a : args) {
    for (size_t pos; (pos = a.find("{date}")) != std::string::npos;) a.replace(pos, 6, date);
    out.push_back(std::move(a));
  }
  return out;
}

Result<DagSpec> DailyBatchDag(const DailyBatchSettings& settings) {
  PINPIPE_ASSIGN_OR_RETURN(CronSchedule cron, CronSchedule::Parse(settings.cron));
  auto with_common = [&](std::vector<std::string> tail) {
    std::vector<std::string> args = settings.common_args;
    args.insert(args.end(), tail.begin(), tail.end());
    return args;
  };
  DagSpec dag{.id = "daily_batch",
              .description = "land the bus into the lake, clean a day into the warehouse, verify it",
              .schedule = std::move(cron),
              .tasks = {}};
  std::vector<std::string> batch_after;
  if (settings.land_flush) {
    dag.tasks.push_back({"land_flush", {}, with_common({"land", "--once"}), settings.max_retries,
                         settings.timeout_seconds});
    batch_after.push_back("land_flush");
  }
  dag.tasks.push_back({"batch", batch_after, with_common({"batch", "--date", "{date}"}),
                       settings.max_retries, settings.timeout_seconds});
  dag.tasks.push_back({"verify", {"batch"}, with_common({"batch", "--date", "{date}", "--verify"}),
                       settings.max_retries, settings.timeout_seconds});
  return dag;
}

std::string LogicalDateFor(UnixMicros fire_time) { return FormatDate(fire_time - kMicrosPerDay); }

}  // namespace pinpipe::schedule
