// ApiServer: N io threads (one io_context each, so a connection's handlers
// never contend), an acceptor spreading sockets round robin, and the drain.
#include "ingest/api_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <vector>

#include "core/log.h"
#include "ingest/http_connection.h"
#include "ingest/response.h"
#include "ingest/server_state.h"
#include "metrics/listen_address.h"

namespace pinpipe::ingest {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ApiServer::Impl {
  explicit Impl(const ApiOptions& o, bus::Producer* p, metrics::Registry* r, Clock* c) : state(o, p, r, c) {}

  ServerState state;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;  // on workers[0]
  size_t next_worker = 0;                 // touched only by the accept handler
  std::string refusal;                    // canned 503 for connections over the cap
  int port = 0;
  std::mutex shutdown_mu;
  bool stopped = false;

  void Accept();
  void Refuse(tcp::socket& socket);
  // Runs `fn(connection)` for every connection, on each worker's thread.
  void ForEachConnection(void (Connection::*fn)());
  bool WaitQuiet(std::chrono::steady_clock::time_point deadline);
};

void ApiServer::Impl::Accept() {
  Worker* worker = workers[next_worker].get();
  next_worker = (next_worker + 1) % workers.size();
  acceptor->async_accept(worker->ioc, [this, worker](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      if (state.connections.load() >= state.options.max_connections || state.draining.load()) {
        Refuse(socket);
      } else {
        state.connections.fetch_add(1);
        auto connection = std::make_shared<Connection>(std::move(socket), worker);
        asio::post(worker->ioc, [connection] { connection->Start(); });
      }
    }
    Accept();
  });
}

void ApiServer::Impl::Refuse(tcp::socket& socket) {
  state.metrics.connections_refused().Inc();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(refusal), ignored);  // a fresh socket's buffer holds it
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void ApiServer::Impl::ForEachConnection(void (Connection::*fn)()) {
  for (auto& w : workers) {
    asio::post(w->ioc, [worker = w.get(), fn] {
      // Copy: a callee may close and so erase itself from the set.
      std::vector<Connection*> all(worker->connections.begin(), worker->connections.end());
      for (Connection* c : all) {
        if (worker->connections.count(c) != 0) (c->*fn)();
      }
    });
  }
}

bool ApiServer::Impl::WaitQuiet(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(state.mu);
  return state.cv.wait_until(lock, deadline, [this] {
    return state.connections.load() == 0 && state.pending_appends.load() == 0;
  });
}

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<ApiServer>> ApiServer::Start(const ApiOptions& options, bus::Producer* producer,
                                                    metrics::Registry* registry, Clock* clock) {
  PINPIPE_ASSIGN_OR_RETURN(metrics::ListenAddress address, metrics::ParseListenAddress(options.listen));
  auto impl = std::make_unique<Impl>(options, producer, registry, clock);
  int threads = options.io_threads > 0 ? options.io_threads
                                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
  for (int i = 0; i < threads; ++i) impl->workers.push_back(std::make_unique<Worker>(&impl->state));
  for (auto& w : impl->workers) {
    PinIntake* intake = &w->intake;
    ApiMetrics* m = &impl->state.metrics;
    intake->on_reject = [m](pin::RejectReason reason) { m->RecordRejected(reason); };
  }
  ResponseHead refusal;
  refusal.status = 503;
  refusal.keep_alive = false;
  refusal.retry_after_seconds = options.retry_after_seconds;
  SerializeResponse(refusal, ErrorBody("too_many_connections", "the server is at its connection limit; retry later"),
                    &impl->refusal);

  boost::system::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address.host), address.port);
  impl->acceptor.emplace(impl->workers[0]->ioc);
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + options.listen + ": " + ec.message());
  impl->port = impl->acceptor->local_endpoint().port();
  impl->Accept();
  for (auto& w : impl->workers) {
    w->work.emplace(w->ioc.get_executor());
    w->thread = std::thread([worker = w.get()] { worker->ioc.run(); });
  }
  core::Log("api").info("event=api_listening address={}:{} io_threads={}", address.host, impl->port, threads);
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

ApiServer::~ApiServer() { Shutdown(std::chrono::seconds(30)); }

int ApiServer::port() const { return impl_->port; }

bool ApiServer::ready() const { return !impl_->state.draining.load(); }

void ApiServer::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard guard(impl_->shutdown_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  auto& log = core::Log("api");
  log.info("event=api_draining connections={}", impl_->state.connections.load());
  impl_->state.draining.store(true);
  asio::post(impl_->workers[0]->ioc, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor->close(ignored);
  });
  impl_->ForEachConnection(&Connection::OnDrain);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!impl_->WaitQuiet(deadline)) {
    log.warn("event=api_drain_timeout connections={} pending_appends={}", impl_->state.connections.load(),
             impl_->state.pending_appends.load());
    impl_->ForEachConnection(&Connection::ForceClose);
    // Appends still out must call back before the io threads stop: their
    // callbacks post to them.
    while (!impl_->WaitQuiet(std::chrono::steady_clock::now() + std::chrono::seconds(5))) {
      log.warn("event=api_waiting_for_bus pending_appends={}", impl_->state.pending_appends.load());
    }
  }
  for (auto& w : impl_->workers) {
    w->work.reset();
    w->ioc.stop();
  }
  for (auto& w : impl_->workers) w->thread.join();
  log.info("event=api_stopped");
}

}  // namespace pinpipe::ingest
