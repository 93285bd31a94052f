// What `batch` and `batch --verify` share: the date's raw objects in load
// order (with overlaps marked), and the parallel read of them: worker
// threads read and clean, the calling thread consumes chunks in object order.
#pragma once

#include <functional>
#include <vector>

#include "jobs/batch.h"
#include "jobs/batch_reader.h"
#include "lake/object_store.h"

namespace pinpipe::jobs {

struct BatchPlan {
  std::vector<RawObjectTask> tasks;  // in load order: by partition, then offset
  std::vector<int> missing_hours;    // hours of the date without a raw _SUCCESS
  uint64_t bytes = 0;                // compressed bytes of all tasks
};

// For `batch`'s helper threads (readers, the clean zone's compressor): the
// loader thread is the pipeline's bottleneck (SQLite has one writer), so on
// a machine with fewer cores than threads it should never wait for a core.
void LowerThisThreadsPriority();

// kInvalidArgument for a bad date, dataset or size option.
Status ValidateBatchOptions(const BatchOptions& options);

// Lists the date's raw objects and markers.
Result<BatchPlan> PlanDate(lake::ObjectStore* store, const BatchOptions& options);

// Reads every object of `plan` on options.threads worker threads (started
// here, joined before returning) and calls `consume` on the calling thread
// with each chunk, in object order. The first error (a worker's, naming the
// object's key, or consume's) stops everything and is returned.
Status ReadPlan(const BatchOptions& options, lake::ObjectStore* store, const BatchPlan& plan,
                const std::function<Status(BatchChunk& chunk, const RawObjectTask& task)>& consume);

}  // namespace pinpipe::jobs
