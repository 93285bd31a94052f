// State the ApiServer shares with its connections: options, borrowed
// collaborators, accounting for limits and drain, and the per-io-thread
// Worker. Internal to ingest.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "ingest/api_metrics.h"
#include "ingest/append_batcher.h"
#include "ingest/api_server.h"
#include "ingest/pin_intake.h"

namespace pinpipe::ingest {

class Connection;

// Thread-safe (atomics, plus `mu` for the shutdown wait).
struct ServerState {
  ServerState(const ApiOptions& o, bus::Producer* p, metrics::Registry* r, Clock* c)
      : options(o), producer(p), registry(r), clock(c), metrics(r) {}

  const ApiOptions options;
  bus::Producer* const producer;
  metrics::Registry* const registry;
  Clock* const clock;
  ApiMetrics metrics;

  std::atomic<size_t> connections{0};
  std::atomic<size_t> body_bytes{0};       // reserved by requests in flight
  std::atomic<int64_t> pending_appends{0};  // Append called, callback not yet run
  std::atomic<bool> draining{false};

  // Reserves `n` body bytes against max_inflight_body_bytes; false when full.
  bool TryReserveBody(size_t n) {
    size_t now = body_bytes.load(std::memory_order_relaxed);
    do {
      if (now + n > options.max_inflight_body_bytes) return false;
    } while (!body_bytes.compare_exchange_weak(now, now + n, std::memory_order_relaxed));
    return true;
  }
  void ReleaseBody(size_t n) { body_bytes.fetch_sub(n, std::memory_order_relaxed); }

  // Wakes Shutdown when a connection closes or an append returns.
  void Notify() {
    std::lock_guard lock(mu);
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
};

// One io thread: its io_context, its Cleaner (inside `intake`) and the
// connections it serves. Everything but `ioc` is touched only on `thread`.
struct Worker {
  explicit Worker(ServerState* s) : state(s), batcher(ioc, s) {}
  ServerState* state;
  std::unordered_set<Connection*> connections;
  PinIntake intake;
  boost::asio::io_context ioc{1};
  AppendBatcher batcher;  // after ioc: built from it, destroyed before it
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
};

}  // namespace pinpipe::ingest
