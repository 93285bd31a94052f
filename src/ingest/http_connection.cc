// The per-connection request cycle:
//   idle -> head (deadline) -> [100 Continue] -> body (deadline) -> intake
//   -> bus append -> response (deadline) -> idle | close
#include "ingest/http_connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include <chrono>

#include "ingest/response.h"

namespace pinpipe::ingest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

namespace {
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kTextPlain = "text/plain; version=0.0.4; charset=utf-8";
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, Worker* worker)
    : stream_(std::move(socket)), worker_(worker), state_(worker->state) {
  state_->metrics.connections().Add(1);
}

Connection::~Connection() {
  EndRequest();
  worker_->connections.erase(this);
  state_->metrics.connections().Add(-1);
  state_->connections.fetch_sub(1);
  if (state_->draining.load()) state_->Notify();
}

void Connection::Start() {
  worker_->connections.insert(this);
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  WaitForRequest();
}

void Connection::OnDrain() {
  if (phase_ == Phase::kIdle) stream_.cancel();
}

void Connection::ForceClose() { Close(); }

void Connection::WaitForRequest() {
  parser_.reset();  // frees the last body
  phase_ = Phase::kIdle;
  if (state_->draining.load()) return Close();
  if (buffer_.size() > 0) return ReadHeader();  // pipelined: the next request is here already
  stream_.expires_after(milliseconds(state_->options.idle_timeout_ms));
  stream_.async_read_some(buffer_.prepare(8192), [self = shared_from_this()](beast::error_code ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout) self->state_->metrics.timeouts().Inc();
      return self->Close();
    }
    self->buffer_.commit(n);
    self->ReadHeader();
  });
}

void Connection::ReadHeader() {
  phase_ = Phase::kReading;
  head_ = false;
  http10_ = false;
  const ApiOptions& o = state_->options;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(o.max_header_bytes));
  parser_->body_limit(std::max(o.max_pin_body_bytes, o.max_pins_body_bytes));  // per route after the head
  stream_.expires_after(milliseconds(o.header_timeout_ms));
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeaderError(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
      ec == asio::error::connection_reset) {
    return Close();
  }
  if (ec == beast::error::timeout) {  // the stream closed itself: no answer possible
    state_->metrics.timeouts().Inc();
    return Close();
  }
  request_start_us_ = state_->clock->MonotonicMicros();
  request_open_ = true;
  state_->metrics.in_flight().Add(1);
  route_ = Route::kUnknown;
  if (ec == http::error::header_limit) {
    body_ = ErrorBody("header_too_large", "request line and headers exceed the limit");
    return Respond(Reply(431, body_, true));
  }
  if (ec == http::error::body_limit) {
    body_ = ErrorBody("body_too_large", "the body exceeds the limit of every route");
    return Respond(Reply(413, body_, true));
  }
  body_ = ErrorBody("bad_request", ec.message());
  Respond(Reply(400, body_, true));
}

void Connection::OnHeader(beast::error_code ec) {
  if (ec) return OnHeaderError(ec);
  request_start_us_ = state_->clock->MonotonicMicros();
  request_open_ = true;
  state_->metrics.in_flight().Add(1);
  const auto& req = parser_->get();
  http10_ = req.version() == 10;
  head_ = req.method() == http::verb::head;
  route_ = RouteOf(std::string_view(req.target().data(), req.target().size()));
  std::string_view method(req.method_string().data(), req.method_string().size());
  if (route_ == Route::kUnknown) {
    body_ = ErrorBody("not_found", "routes: POST /pin, POST /pins, GET /healthz, /readyz, /metrics");
    return Respond(Reply(404, body_, UnreadBody()));
  }
  if (!MethodAllowed(route_, method)) {
    body_ = ErrorBody("method_not_allowed", std::string(method) + " is not allowed here");
    Reply reply(405, body_, UnreadBody());
    reply.allow = AllowedMethods(route_);
    return Respond(reply);
  }
  if (route_ != Route::kPin && route_ != Route::kPins) return HandleGet();
  CheckPost();
}

void Connection::CheckPost() {
  const auto& req = parser_->get();
  const ApiOptions& o = state_->options;
  if (!o.bearer_token.empty()) {
    auto auth = req[http::field::authorization];
    if (!BearerTokenMatches(std::string_view(auth.data(), auth.size()), o.bearer_token)) {
      body_ = ErrorBody("unauthorized", "send Authorization: Bearer <token>");
      return Respond(Reply(401, body_, UnreadBody()));
    }
  }
  auto type = req.find(http::field::content_type);
  body_type_ = type == req.end() ? ClassifyContentType("", false)
                                 : ClassifyContentType(std::string_view(type->value().data(), type->value().size()), true);
  if (body_type_ == BodyType::kUnsupported) {
    body_ = ErrorBody("unsupported_media_type", "use application/json or application/x-ndjson");
    return Respond(Reply(415, body_, UnreadBody()));
  }
  size_t limit = route_ == Route::kPin ? o.max_pin_body_bytes : o.max_pins_body_bytes;
  auto length = parser_->content_length();
  if (length && *length > limit) {
    body_ = ErrorBody("body_too_large", "the body exceeds " + std::to_string(limit) + " bytes");
    return Respond(Reply(413, body_, true));
  }
  size_t reserve = length ? static_cast<size_t>(*length) : (parser_->chunked() ? limit : 0);
  if (!state_->TryReserveBody(reserve)) {
    body_ = ErrorBody("overloaded", "too many request bytes in flight; retry later");
    Reply reply(503, body_, UnreadBody());
    reply.retry_after = o.retry_after_seconds;
    return Respond(reply);
  }
  reserved_ = reserve;
  parser_->body_limit(limit);
  if (parser_->is_done()) return HandleBody();
  auto expect = req[http::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    stream_.expires_after(milliseconds(o.write_timeout_ms));
    return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Close();
                               self->ReadBody();
                             });
  }
  ReadBody();
}

void Connection::ReadBody() {
  stream_.expires_after(milliseconds(state_->options.body_timeout_ms));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (!ec) return HandleBody();
  if (ec == http::error::body_limit) {
    body_ = ErrorBody("body_too_large", "the chunked body exceeds the route's limit");
    return Respond(Reply(413, body_, true));
  }
  if (ec == beast::error::timeout) {  // the stream closed itself: no answer possible
    state_->metrics.timeouts().Inc();
    return Close();
  }
  if (ec == http::error::partial_message || ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::operation_aborted) {
    return Close();
  }
  body_ = ErrorBody("bad_request", ec.message());
  Respond(Reply(400, body_, true));
}

void Connection::HandleGet() {
  bool close = UnreadBody();
  if (route_ == Route::kHealthz) return Respond(Reply(200, R"({"status":"ok"})", close));
  if (route_ == Route::kReadyz) {
    bool ready = !state_->draining.load();
    return Respond(Reply(ready ? 200 : 503, ready ? R"({"status":"ready"})" : R"({"status":"draining"})", close));
  }
  body_ = state_->registry->Exposition();
  Reply reply(200, body_, close);
  reply.content_type = kTextPlain;
  Respond(reply);
}

void Connection::HandleBody() {
  phase_ = Phase::kProcessing;
  const std::string& body = parser_->get().body();
  state_->metrics.BytesIn(body.size());
  UnixMicros now = state_->clock->NowMicros();
  if (route_ == Route::kPin) {
    worker_->intake.PreparePin(body, now, &intake_);
  } else {
    worker_->intake.PreparePins(body, body_type_, state_->options.max_batch_records, now, &intake_);
  }
  if (intake_.status != 0) {
    body_ = std::move(intake_.body);
    return Respond(Reply(intake_.status, body_));
  }
  Append();
}

void Connection::Append() { worker_->batcher.Add(shared_from_this(), intake_.messages); }

void Connection::OnAppended(const Status& status, std::span<const bus::Position> positions) {
  if (!status.ok()) {
    bool full = status.code() == StatusCode::kResourceExhausted;
    body_ = ErrorBody(full ? "overloaded" : "unavailable", status.message());
    Reply reply(full ? 429 : 503, body_);
    reply.retry_after = state_->options.retry_after_seconds;
    return Respond(reply);
  }
  state_->metrics.RecordsAccepted(positions.size());
  if (route_ == Route::kPin && !positions.empty()) {
    PinIntake::PinAccepted(positions.front(), &body_);
  } else {
    state_->metrics.BatchSize(positions.size() + intake_.rejected);
    PinIntake::PinsAccepted(positions.size(), intake_, &body_);
  }
  Respond(Reply(202, body_));
}

void Connection::Respond(const Reply& reply) {
  phase_ = Phase::kWriting;
  status_ = reply.status;
  keep_alive_ = !reply.close && parser_ && parser_->get().keep_alive() && !state_->draining.load();
  if (!parser_ || !parser_->is_header_done()) keep_alive_ = false;
  SerializeResponse({.status = reply.status,
                     .content_type = reply.content_type,
                     .keep_alive = keep_alive_,
                     .http10 = http10_,
                     .retry_after_seconds = reply.retry_after,
                     .allow = reply.allow,
                     .head_only = head_},
                    reply.body, &out_);
  stream_.expires_after(milliseconds(state_->options.write_timeout_ms));
  asio::async_write(stream_, asio::buffer(out_),
                    [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
}

void Connection::OnWritten(beast::error_code ec) {
  double seconds = static_cast<double>(state_->clock->MonotonicMicros() - request_start_us_) / 1e6;
  state_->metrics.RequestDone(route_, status_, seconds);
  EndRequest();
  if (ec) {
    if (ec == beast::error::timeout) state_->metrics.timeouts().Inc();
    return Close();
  }
  if (!keep_alive_) return LingeringClose();
  WaitForRequest();
}

void Connection::LingeringClose() {
  // Half-close, then drain what the client still sends for a moment: closing
  // with unread bytes would send a reset that can destroy our response
  // before the client reads it.
  phase_ = Phase::kClosed;
  parser_.reset();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));  // one deadline for the whole drain
  DrainUntilClosed();
}

void Connection::DrainUntilClosed() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->stream_.close();
    self->DrainUntilClosed();
  });
}

void Connection::Close() {
  phase_ = Phase::kClosed;
  EndRequest();
  if (!stream_.socket().is_open()) return;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void Connection::EndRequest() {
  if (request_open_) {
    state_->metrics.in_flight().Add(-1);
    request_open_ = false;
  }
  if (reserved_ > 0) {
    state_->ReleaseBody(reserved_);
    reserved_ = 0;
  }
}

}  // namespace pinpipe::ingest
