// One keep-alive HTTP connection of the emulator: take records, wait for
// their pacing slot, send, read the answer, count it; reconnect after a
// transport failure. Internal.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulate/run_state.h"
#include "pin/pin.h"

namespace pinpipe::emulate {

// Owned by shared_ptr (its pending operations hold it); runs on one io_context.
class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
 public:
  // `done` runs once, when this connection has nothing more to send.
  ClientConnection(boost::asio::io_context& ioc, RunState* run, ThreadStats* stats,
                   boost::asio::ip::tcp::resolver::results_type endpoints, std::function<void()> done);
  void Start();

 private:
  void Next();
  void Connect();
  void Send();
  void OnRead(boost::beast::error_code ec);
  void Count(int status, std::string_view body);
  void TransportFailure();
  void Finish();

  RunState* run_;
  ThreadStats* stats_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  std::function<void()> done_;
  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  bool connected_ = false;
  PendingRequest req_;
  std::string head_;
  SteadyTime sent_;
  std::unique_ptr<pin::Cleaner> cleaner_;  // want_acks only: the unique_id as the API keys it
  pin::CleanRecord clean_;
  pin::Rejection rejection_;
};

}  // namespace pinpipe::emulate
