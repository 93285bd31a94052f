// Registration of the pinpipe_api_* families.
#include "ingest/api_metrics.h"

#include <string>

namespace pinpipe::ingest {

ApiMetrics::ApiMetrics(metrics::Registry* r) : registry_(r) {
  for (int i = 0; i < kRouteCount; ++i) {
    duration_[i] = &r->GetHistogram("pinpipe_api_request_duration_seconds",
                                    "Time from a request's complete head to its response written.",
                                    metrics::LatencyBuckets(),
                                    {{"route", std::string(RouteLabel(static_cast<Route>(i)))}});
  }
  accepted_ = &r->GetCounter("pinpipe_api_records_accepted_total", "Records made durable in the bus.");
  for (int i = 0; i < pin::kRejectReasonCount; ++i) {
    auto reason = static_cast<pin::RejectReason>(i);
    rejected_[i] = &r->GetCounter("pinpipe_api_records_rejected_total", "Records refused at the door, by reason.",
                                  {{"reason", std::string(pin::RejectReasonName(reason))}});
  }
  bus_append_seconds_ = &r->GetHistogram("pinpipe_api_bus_append_duration_seconds",
                                         "Time from Append to the bus confirming durability.",
                                         metrics::LatencyBuckets());
  batch_records_ = &r->GetHistogram("pinpipe_api_batch_records", "Records per POST /pins request.",
                                    metrics::SizeBuckets());
  bytes_in_ = &r->GetCounter("pinpipe_api_received_bytes_total", "Request body bytes received.");
  in_flight_ = &r->GetGauge("pinpipe_api_in_flight_requests", "Requests read and not yet answered.");
  connections_ = &r->GetGauge("pinpipe_api_connections", "Open client connections.");
  connections_refused_ = &r->GetCounter("pinpipe_api_connections_refused_total",
                                        "Connections closed at once because max_connections was reached.");
  timeouts_ = &r->GetCounter("pinpipe_api_timeouts_total",
                             "Connections dropped because a header, body, idle or write deadline passed.");
}

void ApiMetrics::RequestDone(Route route, int status, double seconds) {
  size_t route_index = static_cast<size_t>(route);
  duration_[route_index]->Observe(seconds);
  size_t s = 0;
  while (s < kStatuses.size() && kStatuses[s] != status) ++s;
  std::atomic<metrics::Counter*>* slot = s < kStatuses.size() ? &requests_[route_index][s] : nullptr;
  metrics::Counter* counter = slot != nullptr ? slot->load(std::memory_order_acquire) : nullptr;
  if (counter == nullptr) {
    // Two threads may race here; the registry returns the same object to both.
    counter = &registry_->GetCounter("pinpipe_api_requests_total", "HTTP requests answered, by route and status.",
                                     {{"route", std::string(RouteLabel(route))}, {"status", std::to_string(status)}});
    if (slot != nullptr) slot->store(counter, std::memory_order_release);
  }
  counter->Inc();
}

}  // namespace pinpipe::ingest
