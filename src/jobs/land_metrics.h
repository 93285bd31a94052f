// Prometheus metrics of `land` (pinpipe_land_*), registered once per Lander.
#pragma once

#include <string>

#include "metrics/metrics.h"

namespace pinpipe::jobs {

// The metric objects live in the registry; this only caches references.
struct LandMetrics {
  explicit LandMetrics(metrics::Registry& r)
      : registry(r),
        records(r.GetCounter("pinpipe_land_records_total", "Records written to the lake raw zone")),
        input_bytes(r.GetCounter("pinpipe_land_input_bytes_total", "Uncompressed NDJSON bytes landed")),
        output_bytes(r.GetCounter("pinpipe_land_output_bytes_total", "Compressed object bytes landed")),
        files(r.GetCounter("pinpipe_land_files_total", "Raw objects written")),
        success_markers(r.GetCounter("pinpipe_land_success_markers_total", "Hour _SUCCESS markers written")),
        late_records(r.GetCounter("pinpipe_land_late_records_total",
                                  "Records whose hour was already marked complete")),
        errors(r.GetCounter("pinpipe_land_errors_total", "Failed steps (retried when retryable)")),
        put_seconds(r.GetHistogram("pinpipe_land_put_seconds", "Time to put one raw object",
                                   metrics::LatencyBuckets())),
        last_object_time(r.GetGauge("pinpipe_land_last_object_timestamp_seconds",
                                    "Wall time the last raw object was written")),
        last_marker_hour(r.GetGauge("pinpipe_land_last_success_hour_timestamp_seconds",
                                    "Start of the last hour marked _SUCCESS")) {}

  metrics::Gauge& Lag(int32_t partition) {
    return registry.GetGauge("pinpipe_land_lag_records", "Records in the bus not yet landed",
                             {{"partition", std::to_string(partition)}});
  }

  metrics::Registry& registry;
  metrics::Counter& records;
  metrics::Counter& input_bytes;
  metrics::Counter& output_bytes;
  metrics::Counter& files;
  metrics::Counter& success_markers;
  metrics::Counter& late_records;
  metrics::Counter& errors;
  metrics::Histogram& put_seconds;
  metrics::Gauge& last_object_time;
  metrics::Gauge& last_marker_hour;
};

}  // namespace pinpipe::jobs
