// The emulator's request loop on one connection.
#include "emulate/client_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include <array>

#include "emulate/ack_parse.h"

namespace pinpipe::emulate {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
// After a transport failure, wait this long before the next attempt, so a
// dead server is not hammered in a tight loop.
constexpr auto kFailureBackoff = std::chrono::milliseconds(20);
}  // namespace

ClientConnection::ClientConnection(asio::io_context& ioc, RunState* run, ThreadStats* stats,
                                   tcp::resolver::results_type endpoints, std::function<void()> done)
    : run_(run), stats_(stats), endpoints_(std::move(endpoints)), done_(std::move(done)), stream_(ioc),
      timer_(ioc) {
  if (run_->options().want_acks) cleaner_ = std::make_unique<pin::Cleaner>();
}

void ClientConnection::Start() { Next(); }

void ClientConnection::Next() {
  if (!run_->Take(&req_)) return Finish();
  run_->records_sent.fetch_add(req_.records);
  if (req_.scheduled <= std::chrono::steady_clock::now()) return connected_ ? Send() : Connect();
  timer_.expires_at(req_.scheduled);
  timer_.async_wait([self = shared_from_this()](beast::error_code) {
    if (self->connected_) return self->Send();
    self->Connect();
  });
}

void ClientConnection::Connect() {
  stream_.expires_after(std::chrono::milliseconds(run_->options().request_timeout_ms));
  stream_.async_connect(endpoints_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
    if (ec) return self->TransportFailure();
    self->connected_ = true;
    beast::error_code ignored;
    self->stream_.socket().set_option(tcp::no_delay(true), ignored);
    self->Send();
  });
}

void ClientConnection::Send() {
  const EmulatorOptions& o = run_->options();
  bool batch = o.batch > 1;
  head_.clear();
  head_.append("POST ").append(o.target.base_path).append(batch ? "/pins" : "/pin");
  head_.append(" HTTP/1.1\r\nHost: ").append(o.target.Host());
  head_.append(batch ? "\r\nContent-Type: application/x-ndjson" : "\r\nContent-Type: application/json");
  head_.append("\r\nContent-Length: ").append(std::to_string(req_.body.size())).append("\r\n");
  if (!o.bearer_token.empty()) head_.append("Authorization: Bearer ").append(o.bearer_token).append("\r\n");
  head_.append("\r\n");
  sent_ = std::chrono::steady_clock::now();
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(req_.body)};
  stream_.expires_after(std::chrono::milliseconds(o.request_timeout_ms));
  asio::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->TransportFailure();
    self->parser_.emplace();
    self->parser_->body_limit(64u << 20);
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code ec2, size_t) { self->OnRead(ec2); });
  });
}

void ClientConnection::OnRead(beast::error_code ec) {
  if (ec) return TransportFailure();
  auto now = std::chrono::steady_clock::now();
  SteadyTime from = run_->options().rate > 0 ? req_.scheduled : sent_;
  stats_->latency.Record(std::chrono::duration_cast<std::chrono::microseconds>(now - from).count());
  stats_->service_latency.Record(std::chrono::duration_cast<std::chrono::microseconds>(now - sent_).count());
  const auto& response = parser_->get();
  int status = static_cast<int>(response.result_int());
  ++stats_->statuses[status];
  run_->requests.fetch_add(1);
  Count(status, response.body());
  if (!response.keep_alive()) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    connected_ = false;
    buffer_.clear();
  }
  Next();
}

void ClientConnection::Count(int status, std::string_view body) {
  bool batch = run_->options().batch > 1;
  AckSummary ack;
  if (!ParseAck(status, body, req_.records, batch, &ack)) {
    (status == 429 || status == 503 ? run_->throttled : run_->http_errors).fetch_add(req_.records);
    return;
  }
  run_->accepted.fetch_add(ack.accepted);
  run_->rejected.fetch_add(ack.rejected);
  if (!cleaner_ || ack.accepted == 0) return;
  size_t next_reject = 0;
  for (size_t i = 0; i < req_.spans.size(); ++i) {
    auto line = static_cast<int64_t>(i + 1);
    if (next_reject < ack.rejected_lines.size() && ack.rejected_lines[next_reject] == line) {
      ++next_reject;
      continue;
    }
    std::string_view record(req_.body.data() + req_.spans[i].first, req_.spans[i].second);
    if (!cleaner_->Clean(record, &clean_, &rejection_)) continue;  // the server would have refused it too
    run_->Ack({clean_.unique_id, ack.partition, ack.offset});
  }
}

void ClientConnection::TransportFailure() {
  run_->requests.fetch_add(1);
  run_->failed_requests.fetch_add(1);
  run_->failed.fetch_add(req_.records);
  beast::error_code ignored;
  stream_.socket().close(ignored);
  connected_ = false;
  buffer_.clear();
  timer_.expires_after(kFailureBackoff);
  timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Next(); });
}

void ClientConnection::Finish() {
  if (connected_) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    connected_ = false;
  }
  if (done_) std::exchange(done_, nullptr)();
}

}  // namespace pinpipe::emulate
