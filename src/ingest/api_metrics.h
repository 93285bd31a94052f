// The ingest API's metrics (pinpipe_api_*), registered once and cached so
// the request path never takes the registry lock.
#pragma once

#include <array>
#include <atomic>

#include "ingest/request_policy.h"
#include "metrics/metrics.h"
#include "pin/pin.h"

namespace pinpipe::ingest {

// Thread-safe. Borrows the registry, which must outlive it.
class ApiMetrics {
 public:
  explicit ApiMetrics(metrics::Registry* registry);

  // pinpipe_api_requests_total{route,status} and
  // pinpipe_api_request_duration_seconds{route}.
  void RequestDone(Route route, int status, double seconds);
  void RecordsAccepted(size_t n) { accepted_->Inc(static_cast<double>(n)); }
  void RecordRejected(pin::RejectReason reason) { rejected_[static_cast<size_t>(reason)]->Inc(); }
  void BusAppend(double seconds) { bus_append_seconds_->Observe(seconds); }
  void BatchSize(size_t records) { batch_records_->Observe(static_cast<double>(records)); }
  void BytesIn(size_t n) { bytes_in_->Inc(static_cast<double>(n)); }
  metrics::Gauge& in_flight() { return *in_flight_; }
  metrics::Gauge& connections() { return *connections_; }
  metrics::Counter& connections_refused() { return *connections_refused_; }
  metrics::Counter& timeouts() { return *timeouts_; }

 private:
  static constexpr std::array<int, 15> kStatuses = {200, 202, 400, 401, 404, 405, 408, 411,
                                                   413, 415, 417, 429, 431, 500, 503};
  metrics::Registry* registry_;
  // [route][status index]; filled on first use so unused pairs export nothing.
  std::array<std::array<std::atomic<metrics::Counter*>, kStatuses.size()>, kRouteCount> requests_{};
  std::array<metrics::Histogram*, kRouteCount> duration_{};
  metrics::Counter* accepted_;
  std::array<metrics::Counter*, pin::kRejectReasonCount> rejected_{};
  metrics::Histogram* bus_append_seconds_;
  metrics::Histogram* batch_records_;
  metrics::Counter* bytes_in_;
  metrics::Gauge* in_flight_;
  metrics::Gauge* connections_;
  metrics::Counter* connections_refused_;
  metrics::Counter* timeouts_;
};

}  // namespace pinpipe::ingest
