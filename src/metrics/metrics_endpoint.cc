// The scrape endpoint: one io_context on one thread, one Session per
// connection, keep-alive, a per-request deadline and a connection cap.
#include "metrics/metrics_endpoint.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "core/log.h"
#include "metrics/exposition.h"
#include "metrics/listen_address.h"

namespace pinpipe::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct MetricsEndpoint::Impl {
  Registry* registry = nullptr;
  std::function<bool()> ready;
  MetricsEndpointOptions options;
  size_t connections = 0;  // touched only on the serving thread
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  int port = 0;
  std::thread thread;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, MetricsEndpoint::Impl* owner) : stream_(std::move(socket)), owner_(owner) {
    ++owner_->connections;
  }
  ~Session() { --owner_->connections; }

  void Read() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(64 * 1024);
    stream_.expires_after(std::chrono::milliseconds(owner_->options.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) return Close();
    const auto& req = parser_->get();
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    response_ = {};
    response_.version(11);
    response_.keep_alive(req.keep_alive());
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      Reply(http::status::method_not_allowed, "application/json", R"({"error":"method_not_allowed"})");
      response_.set(http::field::allow, "GET, HEAD");
    } else if (target == "/metrics") {
      Reply(http::status::ok, kExpositionContentType, owner_->registry->Exposition());
    } else if (target == "/healthz") {
      Reply(http::status::ok, "application/json", R"({"status":"ok"})");
    } else if (target == "/readyz") {
      bool ready = !owner_->ready || owner_->ready();
      Reply(ready ? http::status::ok : http::status::service_unavailable, "application/json",
            ready ? R"({"status":"ready"})" : R"({"status":"not_ready"})");
    } else {
      Reply(http::status::not_found, "application/json", R"({"error":"not_found"})");
    }
    response_.prepare_payload();
    if (req.method() == http::verb::head) response_.body().clear();  // keeps Content-Length
    Write();
  }

  void Reply(http::status status, std::string_view content_type, std::string body) {
    response_.result(status);
    response_.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
    response_.body() = std::move(body);
  }

  void Write() {
    stream_.expires_after(std::chrono::milliseconds(owner_->options.request_timeout_ms));
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec || !self->response_.keep_alive()) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  MetricsEndpoint::Impl* owner_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

void MetricsEndpoint::Impl::Accept() {
  acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (connections >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), this)->Read();
      }
    }
    Accept();
  });
}

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& listen, Registry* registry,
                                                                std::function<bool()> ready,
                                                                const MetricsEndpointOptions& options) {
  PINPIPE_ASSIGN_OR_RETURN(ListenAddress address, ParseListenAddress(listen));
  auto impl = std::make_unique<Impl>();
  impl->registry = registry;
  impl->ready = std::move(ready);
  impl->options = options;
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(address.host), address.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + listen + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->ioc.run(); });
  core::Log("metrics").info("event=metrics_listening address={}:{}", address.host, raw->port);
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(impl)));
}

MetricsEndpoint::~MetricsEndpoint() {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  impl_->thread.join();
}

int MetricsEndpoint::port() const { return impl_->port; }

}  // namespace pinpipe::metrics
