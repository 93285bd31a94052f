// RunBatch: plan the date's objects, read+clean them on worker threads,
// load in object order into one warehouse replacement while staging the
// clean zone, reconcile, commit, publish the clean zone.
#include "jobs/batch.h"

#include <algorithm>

#include "core/log.h"
#include "jobs/batch_clean_zone.h"
#include "jobs/batch_metrics.h"
#include "jobs/batch_plan.h"
#include "jobs/clean_zone_stager.h"
#include "lake/key_layout.h"

namespace pinpipe::jobs {
namespace {

struct LoadTotals {
  int64_t raw_records = 0;
  int64_t accepted = 0;
  int64_t rejected = 0;
  int64_t overlap_skipped = 0;
  int64_t distinct = 0;
};

// Loads the chunks in object order, counting as it goes.
Result<LoadTotals> Load(const BatchOptions& options, lake::ObjectStore* store, const BatchPlan& plan,
                        sinks::DateReplacement* replacement, CleanZoneStager* zone) {
  LoadTotals totals;
  BatchProgress progress{0, static_cast<int64_t>(plan.tasks.size()), 0, plan.bytes, 0};
  std::vector<int64_t> places;
  auto load = [&](BatchChunk& chunk, const RawObjectTask& task) -> Status {
    Status st = replacement->AddRows(chunk.rows, &places);
    if (st.ok()) st = replacement->AddRejects(chunk.rejects);
    if (!st.ok()) return st.WithContext("warehouse");
    PINPIPE_RETURN_IF_ERROR(zone->Add(chunk, places).WithContext("clean zone"));
    totals.raw_records += chunk.raw_records;
    totals.accepted += static_cast<int64_t>(chunk.rows.size());
    totals.rejected += static_cast<int64_t>(chunk.rejects.size());
    totals.overlap_skipped += chunk.overlap_skipped;
    progress.records = totals.raw_records;
    if (chunk.last) {
      ++progress.objects_done;
      progress.bytes_done += task.size;
    }
    if (options.progress) options.progress(progress);
    return Status::Ok();
  };
  PINPIPE_RETURN_IF_ERROR(ReadPlan(options, store, plan, load));
  totals.distinct = zone->distinct();
  return totals;
}

}  // namespace

Result<BatchReport> RunBatch(const BatchOptions& options, lake::ObjectStore* store, sinks::Warehouse* warehouse,
                             Clock* clock, metrics::Registry* registry) {
  PINPIPE_RETURN_IF_ERROR(ValidateBatchOptions(options));
  std::unique_ptr<metrics::Registry> own_registry;
  if (registry == nullptr) registry = (own_registry = std::make_unique<metrics::Registry>()).get();
  BatchMetrics metrics(*registry);
  int64_t started = clock->MonotonicMicros();

  // Seconds per phase, for the log line (where a slow run spends its time).
  double load_s = 0, commit_s = 0, zone_s = 0;
  auto since = [&](int64_t* mark) {
    int64_t now = clock->MonotonicMicros();
    double s = static_cast<double>(now - *mark) / kMicrosPerSecond;
    *mark = now;
    return s;
  };
  auto run = [&]() -> Result<BatchReport> {
    PINPIPE_ASSIGN_OR_RETURN(BatchPlan plan, PlanDate(store, options));
    BatchReport report;
    report.date = options.date;
    report.raw_objects = static_cast<int64_t>(plan.tasks.size());
    report.raw_bytes = plan.bytes;
    report.missing_hours = plan.missing_hours;
    PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<sinks::DateReplacement> replacement,
                             warehouse->BeginReplace(options.date));
    int64_t mark = clock->MonotonicMicros();
    CleanZoneOptions zone_options{options.dataset, options.date, options.clean_part_rows, options.threads,
                                  options.zstd_level};
    CleanZoneStager zone(store, zone_options, options.clean_zone_window_rows, options.clean_zone_window_bytes);
    PINPIPE_RETURN_IF_ERROR(zone.Start().WithContext("clean zone"));
    PINPIPE_ASSIGN_OR_RETURN(LoadTotals totals, Load(options, store, plan, replacement.get(), &zone));
    // The database counts while the clean zone's last lines are compressed.
    if (zone.gave_up().empty()) zone.EndLoad();
    PINPIPE_ASSIGN_OR_RETURN(sinks::DateCounts counts, replacement->Counts());
    int64_t zone_rows = -1;  // -1: the stager gave up; the zone is written after the commit
    if (zone.gave_up().empty()) {
      Result<int64_t> staged = zone.Finish();
      if (!staged.ok()) return staged.status().WithContext("clean zone");
      zone_rows = *staged;
    }
    load_s = since(&mark);
    report.raw_records = totals.raw_records;
    report.accepted = totals.accepted;
    report.rejected = totals.rejected;
    report.overlap_skipped = totals.overlap_skipped;
    report.loaded = counts.rows;
    report.duplicates = totals.accepted - totals.distinct;
    // Each count comes from its own source (lines read, cleaner verdicts,
    // distinct ids, the database, clean-zone lines staged): any
    // disagreement is a bug or lost data.
    if (!report.Balanced() || totals.raw_records != totals.accepted + totals.rejected ||
        counts.rows != totals.distinct || counts.rejects != totals.rejected ||
        (zone_rows >= 0 && zone_rows != counts.rows)) {
      return Status::Internal("reconciliation failed for dt=" + options.date + ": distinct unique_ids " +
                              std::to_string(totals.distinct) + ", rejects in warehouse " +
                              std::to_string(counts.rejects) + ", clean zone lines " + std::to_string(zone_rows) +
                              "; nothing committed\n" + report.Format());
    }
    since(&mark);
    // The date's clean zone stops being complete before the warehouse
    // changes, so no crash can leave an old zone marked complete beside a
    // new date.
    PINPIPE_RETURN_IF_ERROR(store->Delete(lake::CleanSuccessKey(options.dataset, options.date)));
    PINPIPE_RETURN_IF_ERROR(replacement->Commit().WithContext("warehouse commit"));
    replacement.reset();
    commit_s = since(&mark);
    auto clean = zone_rows >= 0 ? zone.Publish() : WriteCleanZone(store, warehouse, zone_options);
    if (!clean.ok()) {
      return clean.status().WithContext("dt=" + options.date +
                                        " is committed to the warehouse but its clean zone is not written; "
                                        "run the batch again");
    }
    zone_s = since(&mark);
    report.clean_zone_read_back = zone_rows < 0;
    report.clean_objects = clean->objects;
    report.clean_bytes = clean->bytes;
    report.seconds = static_cast<double>(clock->MonotonicMicros() - started) / kMicrosPerSecond;
    return report;
  };
  Result<BatchReport> result = run();
  if (!result.ok()) {
    metrics.failed.Inc();
    return result;
  }
  const BatchReport& r = *result;
  metrics.succeeded.Inc();
  metrics.loaded.Inc(static_cast<double>(r.loaded));
  metrics.duplicates.Inc(static_cast<double>(r.duplicates));
  metrics.rejected.Inc(static_cast<double>(r.rejected));
  metrics.raw_bytes.Inc(static_cast<double>(r.raw_bytes));
  metrics.raw_objects.Inc(static_cast<double>(r.raw_objects));
  metrics.clean_objects.Inc(static_cast<double>(r.clean_objects));
  metrics.duration.Set(r.seconds);
  metrics.last_success.Set(static_cast<double>(clock->NowMicros()) / kMicrosPerSecond);
  core::Log("batch").info(
      "event=batch_committed dt={} objects={} raw={} loaded={} duplicates={} rejected={} missing_hours={} "
      "seconds={:.2f} load_s={:.2f} commit_s={:.2f} clean_zone_s={:.2f}",
      r.date, r.raw_objects, r.raw_records, r.loaded, r.duplicates, r.rejected, r.missing_hours.size(), r.seconds,
      load_s, commit_s, zone_s);
  return result;
}

}  // namespace pinpipe::jobs
