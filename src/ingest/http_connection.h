// One client connection of the ingest API: reads requests (keep-alive,
// pipelined, chunked), decides from the head what it can, validates the
// body, appends to the bus and answers once the bus calls back. Internal.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "ingest/pin_intake.h"
#include "ingest/request_policy.h"
#include "ingest/server_state.h"

namespace pinpipe::ingest {

// Owned by shared_ptr: every pending async operation (and a pending bus
// append) holds a reference. All member functions run on the worker's
// thread, except the bus callback, which only posts back to it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // REQUIRES: `socket` belongs to worker->ioc; the caller counted it in
  // state->connections (the destructor uncounts it).
  Connection(boost::asio::ip::tcp::socket socket, Worker* worker);
  ~Connection();

  // Registers with the worker and waits for the first request.
  void Start();
  // Shutdown began: an idle connection closes now, a busy one after its response.
  void OnDrain();
  // The shutdown deadline passed: close now.
  void ForceClose();
  // From the AppendBatcher: this request's records are durable at
  // `positions` (in order), or `status` says why not.
  void OnAppended(const Status& status, std::span<const bus::Position> positions);

 private:
  enum class Phase { kIdle, kReading, kProcessing, kWriting, kClosed };
  struct Reply {
    Reply(int s, std::string_view b, bool c = false) : status(s), body(b), close(c) {}
    int status;
    std::string_view body;
    bool close;                // close after writing (e.g. an unread body remains)
    int retry_after = 0;       // seconds; 0 = no header
    std::string_view allow;    // for 405
    std::string_view content_type = "application/json";
  };

  void WaitForRequest();
  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void OnHeaderError(boost::beast::error_code ec);
  void CheckPost();
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void HandleGet();
  void HandleBody();
  void Append();
  void Respond(const Reply& reply);
  void OnWritten(boost::beast::error_code ec);
  void LingeringClose();
  void DrainUntilClosed();
  void Close();
  void EndRequest();
  bool UnreadBody() const { return parser_ && !parser_->is_done(); }

  boost::beast::tcp_stream stream_;
  Worker* worker_;
  ServerState* state_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Phase phase_ = Phase::kIdle;
  Route route_ = Route::kUnknown;
  BodyType body_type_ = BodyType::kJson;
  bool request_open_ = false;  // counted in the in-flight gauge
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_ = false;
  int status_ = 0;
  size_t reserved_ = 0;  // body bytes reserved in state_
  int64_t request_start_us_ = 0;
  std::string body_;  // the reply body, kept until written
  std::string out_;   // the serialized response, kept until written
  Intake intake_;
};

}  // namespace pinpipe::ingest
