// Prometheus metrics of `batch` (pinpipe_batch_*).
#pragma once

#include "metrics/metrics.h"

namespace pinpipe::jobs {

// Caches references to metrics living in the registry.
struct BatchMetrics {
  explicit BatchMetrics(metrics::Registry& r)
      : loaded(r.GetCounter("pinpipe_batch_records_total", "Raw records of batch runs by outcome",
                            {{"outcome", "loaded"}})),
        duplicates(r.GetCounter("pinpipe_batch_records_total", "Raw records of batch runs by outcome",
                                {{"outcome", "duplicate"}})),
        rejected(r.GetCounter("pinpipe_batch_records_total", "Raw records of batch runs by outcome",
                              {{"outcome", "rejected"}})),
        raw_bytes(r.GetCounter("pinpipe_batch_raw_bytes_total", "Compressed raw lake bytes read")),
        raw_objects(r.GetCounter("pinpipe_batch_raw_objects_total", "Raw lake objects read")),
        clean_objects(r.GetCounter("pinpipe_batch_clean_objects_total", "Clean lake objects written")),
        succeeded(r.GetCounter("pinpipe_batch_runs_total", "Batch runs by result", {{"result", "success"}})),
        failed(r.GetCounter("pinpipe_batch_runs_total", "Batch runs by result", {{"result", "failure"}})),
        duration(r.GetGauge("pinpipe_batch_last_duration_seconds", "Duration of the last successful batch run")),
        last_success(r.GetGauge("pinpipe_batch_last_success_timestamp_seconds",
                                "Wall time the last batch run committed")) {}

  metrics::Counter& loaded;
  metrics::Counter& duplicates;
  metrics::Counter& rejected;
  metrics::Counter& raw_bytes;
  metrics::Counter& raw_objects;
  metrics::Counter& clean_objects;
  metrics::Counter& succeeded;
  metrics::Counter& failed;
  metrics::Gauge& duration;
  metrics::Gauge& last_success;
};

}  // namespace pinpipe::jobs
