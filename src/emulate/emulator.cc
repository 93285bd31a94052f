// RunEmulator: resolve once, spread connections over io threads, report
// progress from a timer, merge per-thread statistics at the end.
#include "emulate/emulator.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <thread>
#include <vector>

#include "emulate/client_connection.h"
#include "emulate/run_state.h"

namespace pinpipe::emulate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

Status Validate(const EmulatorOptions& o) {
  if (o.concurrency < 1) return Status::InvalidArgument("--concurrency must be at least 1");
  if (o.batch < 1) return Status::InvalidArgument("--batch must be at least 1");
  if (o.threads < 1) return Status::InvalidArgument("--threads must be at least 1");
  if (o.rate < 0) return Status::InvalidArgument("--rate must not be negative");
  return Status::Ok();
}

// Ticks on_progress until every connection is done.
class ProgressTicker {
 public:
  ProgressTicker(asio::io_context& ioc, RunState* run) : timer_(ioc), run_(run) {}
  void Arm() {
    if (stopped_ || !run_->hooks().on_progress) return;
    timer_.expires_after(std::chrono::milliseconds(run_->options().progress_interval_ms));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      run_->hooks().on_progress(run_->Snapshot());
      Arm();
    });
  }
  // On the ticker's io thread.
  void Stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  RunState* run_;
  bool stopped_ = false;
};

}  // namespace

Result<EmulatorReport> RunEmulator(const EmulatorOptions& options, RecordSource* source,
                                   const EmulatorHooks& hooks) {
  PINPIPE_RETURN_IF_ERROR(Validate(options));
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < options.threads; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
  tcp::resolver::results_type endpoints;
  try {
    tcp::resolver resolver(*contexts[0]);
    endpoints = resolver.resolve(options.target.host, std::to_string(options.target.port));
  } catch (const boost::system::system_error& e) {
    return Status::Unavailable("cannot resolve " + options.target.host + ": " + e.code().message());
  }
  RunState run(options, source, hooks);
  std::vector<ThreadStats> stats(contexts.size());
  ProgressTicker ticker(*contexts[0], &run);
  std::atomic<int> live{options.concurrency};
  auto connection_done = [&] {
    if (live.fetch_sub(1) == 1) asio::post(*contexts[0], [&ticker] { ticker.Stop(); });
  };
  for (int i = 0; i < options.concurrency; ++i) {
    size_t t = static_cast<size_t>(i) % contexts.size();
    auto c = std::make_shared<ClientConnection>(*contexts[t], &run, &stats[t], endpoints, connection_done);
    asio::post(*contexts[t], [c] { c->Start(); });
  }
  ticker.Arm();
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) threads.emplace_back([&ioc] { ioc->run(); });
  for (auto& t : threads) t.join();

  EmulatorReport report;
  report.counts = run.Snapshot();
  for (const ThreadStats& s : stats) {
    report.latency.Add(s.latency);
    report.service_latency.Add(s.service_latency);
    for (const auto& [status, n] : s.statuses) report.statuses[status] += n;
  }
  if (!source->status().ok()) return source->status().WithContext("reading records");
  return report;
}

}  // namespace pinpipe::emulate
