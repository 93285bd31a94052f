// StreamMetrics: names, help texts and buckets in one place.
#include "jobs/stream_metrics.h"

namespace pinpipe::jobs {

StreamMetrics::StreamMetrics(metrics::Registry* r)
    : rows_committed(r->GetCounter("pinpipe_stream_rows_committed_total",
                                   "Clean rows committed to the live table (after in-batch dedupe)")),
      records_read(r->GetCounter("pinpipe_stream_records_read_total", "Bus records read and cleaned")),
      duplicates(
          r->GetCounter("pinpipe_stream_duplicates_collapsed_total",
                        "Records dropped because a newer version of the unique_id was in the same batch")),
      batches(r->GetCounter("pinpipe_stream_batches_total", "Micro-batches committed")),
      retries(r->GetCounter("pinpipe_stream_retries_total",
                            "Times the stream backed off after a retryable error (database or bus down)")),
      batch_records(r->GetHistogram("pinpipe_stream_batch_records", "Bus records per committed micro-batch",
                                    metrics::SizeBuckets())),
      commit_seconds(r->GetHistogram("pinpipe_stream_commit_seconds",
                                     "Time to commit one micro-batch (rows, dead letters, positions)",
                                     metrics::LatencyBuckets())),
      end_to_end(r->GetHistogram("pinpipe_stream_end_to_end_seconds",
                                 "Commit time minus ingested_at, per committed row",
                                 metrics::LatencyBuckets())),
      last_commit(r->GetGauge("pinpipe_stream_last_commit_timestamp_seconds",
                              "Unix time of the last successful commit")),
      registry_(r) {
  for (int i = 0; i < pin::kRejectReasonCount; ++i) {
    auto reason = static_cast<pin::RejectReason>(i);
    rejects_[i] = &r->GetCounter("pinpipe_stream_rejects_total", "Records stored as dead letters, by reason",
                                 {{"reason", std::string(pin::RejectReasonName(reason))}});
  }
}

metrics::Gauge& StreamMetrics::Lag(bus::PartitionId partition) {
  auto it = lag_.find(partition);
  if (it != lag_.end()) return *it->second;
  metrics::Gauge& g = registry_->GetGauge("pinpipe_stream_lag_records",
                                          "Records in the bus not yet committed to the live table",
                                          {{"partition", std::to_string(partition)}});
  lag_[partition] = &g;
  return g;
}

}  // namespace pinpipe::jobs
