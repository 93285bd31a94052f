// A small HTTP server for processes that are not the ingest API (land,
// stream, scheduler): GET /metrics (Prometheus text 0.0.4), /healthz and
// /readyz. Boost.Beast on one thread it owns.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "metrics/metrics.h"

namespace pinpipe::metrics {

struct MetricsEndpointOptions {
  int64_t request_timeout_ms = 10'000;  // a connection must deliver a request within this
  size_t max_connections = 256;         // further connections are closed at once
};

// Serves scrapes until destroyed. Thread-safe to destroy from any thread but
// its own. Routes (GET or HEAD; other methods get 405):
//   /metrics -> 200 registry->Exposition()
//   /healthz -> 200 {"status":"ok"} while the thread runs
//   /readyz  -> 200 {"status":"ready"} when ready() is true, else 503 {"status":"not_ready"}
//   anything else -> 404 {"error":"not_found"}
class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port", port 0 = any free port) and starts the
  // serving thread. `registry` is borrowed and must outlive the endpoint;
  // `ready` is called on the serving thread (null means always ready).
  // kInvalidArgument for a malformed address, kUnavailable when it cannot be bound.
  static Result<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen, Registry* registry,
                                                        std::function<bool()> ready,
                                                        const MetricsEndpointOptions& options = {});
  // Stops accepting, drops open connections and joins the thread.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The bound port (the real one when 0 was asked for).
  int port() const;

  struct Impl;

 private:
  explicit MetricsEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::metrics
