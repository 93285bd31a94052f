// Planning a date and reading its objects in parallel, in order.
#include "jobs/batch_plan.h"

#include <sys/resource.h>

#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <tuple>

#include "core/log.h"
#include "jobs/batch_pipeline.h"
#include "jobs/line_batch_source.h"
#include "lake/key_layout.h"

namespace pinpipe::jobs {

void LowerThisThreadsPriority() {
  // Linux: the calling thread only. Failure just leaves it as it was.
  (void)setpriority(PRIO_PROCESS, 0, 5);
}

Status ValidateBatchOptions(const BatchOptions& options) {
  auto day = ParseDate(options.date);
  if (!day.ok() || FormatDate(*day) != options.date) {
    return Status::InvalidArgument("bad --date '" + options.date + "': want YYYY-MM-DD");
  }
  if (!lake::IsValidDatasetName(options.dataset)) {
    return Status::InvalidArgument("dataset name '" + options.dataset + "' must be 1-64 of [a-z0-9_-]");
  }
  if (options.threads < 1 || options.rows_per_chunk == 0 || options.chunks_ahead == 0 ||
      options.clean_part_rows <= 0 || options.clean_zone_window_rows < 0) {
    return Status::InvalidArgument(
        "batch: threads, chunk sizes and part size must be positive, the clean zone window not negative");
  }
  return Status::Ok();
}

Result<BatchPlan> PlanDate(lake::ObjectStore* store, const BatchOptions& options) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<lake::ObjectInfo> objects,
                           store->List(lake::RawDatePrefix(options.dataset, options.date)));
  BatchPlan plan;
  bool marked[24] = {};
  int foreign = 0;
  for (const lake::ObjectInfo& o : objects) {
    if (auto key = lake::ParseRawObjectKey(options.dataset, o.key)) {
      plan.tasks.push_back({o.key, *key, o.size, -1});
      plan.bytes += o.size;
    } else if (auto hour = lake::ParseRawSuccessKey(options.dataset, o.key)) {
      marked[hour->Hour()] = true;
    } else {
      ++foreign;
    }
  }
  if (foreign > 0) {
    core::Log("batch").warn("event=foreign_objects_ignored dt={} count={}", options.date, foreign);
  }
  for (int h = 0; h < 24; ++h) {
    if (!marked[h]) plan.missing_hours.push_back(h);
  }
  // Load order: by partition, then offset. An object whose range starts at
  // or below an earlier one's end overlaps it (two landers ran at once);
  // those offsets are read only once.
  std::sort(plan.tasks.begin(), plan.tasks.end(), [](const RawObjectTask& a, const RawObjectTask& b) {
    return std::tie(a.parsed.partition, a.parsed.first_offset, a.parsed.last_offset) <
           std::tie(b.parsed.partition, b.parsed.first_offset, b.parsed.last_offset);
  });
  std::map<int32_t, int64_t> seen_through;
  for (RawObjectTask& t : plan.tasks) {
    auto it = seen_through.find(t.parsed.partition);
    if (it != seen_through.end()) {
      t.skip_through = it->second;
      it->second = std::max(it->second, t.parsed.last_offset);
    } else {
      seen_through.emplace(t.parsed.partition, t.parsed.last_offset);
    }
  }
  return plan;
}

Status ReadPlan(const BatchOptions& options, lake::ObjectStore* store, const BatchPlan& plan,
                const std::function<Status(BatchChunk& chunk, const RawObjectTask& task)>& consume) {
  const int threads = std::max(1, options.threads);
  // A chunk never holds more rows than a clean part, so parts (whole
  // chunks' frames) keep close to their size.
  LineBatchSource source(store, plan,
                         std::min<size_t>(options.rows_per_chunk, static_cast<size_t>(options.clean_part_rows)));
  BatchPipeline pipeline(static_cast<size_t>(threads) * options.chunks_ahead);
  std::vector<std::jthread> workers;
  // Declared after `workers`, so it runs first on the way out: wakes any
  // worker still waiting to hand over a chunk before the threads are joined.
  struct StopOnExit {
    BatchPipeline* p;
    ~StopOnExit() { p->Fail(Status::Cancelled("batch finished")); }
  };
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      LowerThisThreadsPriority();
      pin::CleanViewer viewer;
      LineBatch batch;
      BatchChunk chunk;
      while (!pipeline.failed()) {
        Result<bool> more = source.Next(&batch);
        if (!more.ok()) return pipeline.Fail(more.status());
        if (!*more) return pipeline.SetCount(source.issued());
        const RawObjectTask& task = plan.tasks[batch.object];
        Status st = ReadLineBatch(batch, task, &viewer, &chunk);
        if (!st.ok()) return pipeline.Fail(st.WithContext("lake object " + task.key));
        if (!pipeline.Push(batch.sequence, batch.object, &chunk)) return;
      }
    });
  }
  StopOnExit stop_on_exit{&pipeline};
  ObjectOrderCheck order;
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(std::optional<BatchPipeline::Item> item, pipeline.Pop());
    if (!item) return Status::Ok();
    const RawObjectTask& task = plan.tasks[item->object];
    Status st = order.Next(item->chunk, task).WithContext("lake object " + task.key);
    if (st.ok()) st = consume(item->chunk, task);
    if (!st.ok()) {
      pipeline.Fail(st);
      return st;
    }
    pipeline.Recycle(std::move(item->chunk));
  }
}

}  // namespace pinpipe::jobs
