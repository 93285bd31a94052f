// The ingest API server (DESIGN.md §4): POST /pin, POST /pins, GET /healthz,
// /readyz, /metrics over HTTP/1.1 (Boost.Beast). A request is answered only
// after its records are durable in the bus. Embeddable: `pinpipe api` and
// `pinpipe up` both start one with Start() and end it with Shutdown().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "metrics/metrics.h"

namespace pinpipe::ingest {

struct ApiOptions {
  std::string listen = "127.0.0.1:8000";  // host:port; port 0 = any free port (see port())
  // 0: half the cores (at least 1). The bus's commit threads and, on one
  // machine, the clients need the rest: on the 2-core box one io thread
  // served as many requests as two with ~10% less CPU per request.
  int io_threads = 0;
  std::string bearer_token;               // non-empty: POST routes need "Authorization: Bearer <token>"
  size_t max_pin_body_bytes = 1u << 20;    // POST /pin; larger -> 413
  size_t max_pins_body_bytes = 16u << 20;  // POST /pins; larger -> 413
  size_t max_batch_records = 10'000;       // records per POST /pins; more -> 413
  size_t max_header_bytes = 16u << 10;     // request line + headers; larger -> 431
  size_t max_connections = 4096;           // more are answered 503 and closed
  // Bodies being read or waiting for the bus, summed over all connections;
  // a request that would pass it gets 503 + Retry-After. Bounds memory.
  size_t max_inflight_body_bytes = 256u << 20;
  int64_t header_timeout_ms = 10'000;  // first byte of a request -> end of its headers
  int64_t body_timeout_ms = 60'000;    // end of headers -> end of body
  int64_t idle_timeout_ms = 60'000;    // keep-alive wait for the next request
  int64_t write_timeout_ms = 10'000;   // writing a response to a client that does not read
  int retry_after_seconds = 1;         // Retry-After on 429 and 503
};

// Lifecycle: Start -> serving -> Shutdown (or destruction) -> stopped.
// Start, port, ready and Shutdown are thread-safe. The server owns its io
// threads (started in Start, joined in Shutdown).
class ApiServer {
 public:
  // Binds and starts serving. Borrowed, must outlive the server: `producer`
  // (of the topic records go to), `registry` (pinpipe_api_* metrics are added;
  // GET /metrics renders the whole registry), `clock` (ingested_at and
  // latencies). kInvalidArgument for a bad listen address, kUnavailable when
  // it cannot be bound.
  static Result<std::unique_ptr<ApiServer>> Start(const ApiOptions& options, bus::Producer* producer,
                                                  metrics::Registry* registry, Clock* clock);
  // Shutdown(30 s) if it was not called.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // The bound port.
  int port() const;
  // True from Start until Shutdown begins (what GET /readyz reports).
  bool ready() const;

  // Stops accepting, closes idle keep-alive connections, lets requests in
  // flight finish (their responses carry "Connection: close"), waits until
  // every connection is gone and every bus append has called back, then
  // joins the io threads. Connections still open at `timeout` are closed.
  // The producer is not flushed: the caller owns it. Idempotent.
  void Shutdown(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pinpipe::ingest
