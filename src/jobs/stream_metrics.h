// The stream's Prometheus metrics (pinpipe_stream_*), registered once and
// cached, so the hot path touches only lock-free counters.
#pragma once

#include <array>
#include <map>
#include <string>

#include "bus/bus.h"
#include "metrics/metrics.h"
#include "pin/pin.h"

namespace pinpipe::jobs {

// Thread-safe (the metric objects are); the lag gauges map is guarded by the
// owning Streamer's single thread.
class StreamMetrics {
 public:
  // `registry` is borrowed and must outlive this object.
  explicit StreamMetrics(metrics::Registry* registry);

  metrics::Counter& rows_committed;    // pinpipe_stream_rows_committed_total
  metrics::Counter& records_read;      // pinpipe_stream_records_read_total
  metrics::Counter& duplicates;        // pinpipe_stream_duplicates_collapsed_total
  metrics::Counter& batches;           // pinpipe_stream_batches_total
  metrics::Counter& retries;           // pinpipe_stream_retries_total
  metrics::Histogram& batch_records;   // pinpipe_stream_batch_records
  metrics::Histogram& commit_seconds;  // pinpipe_stream_commit_seconds
  metrics::Histogram& end_to_end;      // pinpipe_stream_end_to_end_seconds
  metrics::Gauge& last_commit;         // pinpipe_stream_last_commit_timestamp_seconds

  // pinpipe_stream_rejects_total{reason}
  metrics::Counter& Rejects(pin::RejectReason reason) { return *rejects_[static_cast<size_t>(reason)]; }
  // pinpipe_stream_lag_records{partition}
  metrics::Gauge& Lag(bus::PartitionId partition);

 private:
  metrics::Registry* registry_;
  std::array<metrics::Counter*, pin::kRejectReasonCount> rejects_{};
  std::map<bus::PartitionId, metrics::Gauge*> lag_;
};

}  // namespace pinpipe::jobs
