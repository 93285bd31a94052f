// Coalesces the bus appends of one io thread: every request whose records
// are ready in the same turn of the event loop goes into one Producer::Append,
// and one callback answers them all. Fewer appends mean fewer cross-thread
// hand-offs per record in the bus and here; the bus's group commit then
// covers them with one fsync per partition.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "core/status.h"

namespace pinpipe::ingest {

class Connection;
struct ServerState;

// Owned by one Worker; all calls on the worker's thread.
class AppendBatcher {
 public:
  AppendBatcher(boost::asio::io_context& ioc, ServerState* state) : ioc_(ioc), state_(state) {}

  // Queues `messages` for the next Append; the connection's OnAppended gets
  // their positions (in order) or the error. Keys are copied; values must
  // stay valid until OnAppended runs.
  void Add(std::shared_ptr<Connection> connection, std::span<const bus::Message> messages);

 private:
  struct Group;
  void Flush();
  static void Deliver(Group* group, const Result<std::vector<bus::Position>>& result);

  boost::asio::io_context& ioc_;
  ServerState* state_;
  std::shared_ptr<Group> open_;  // collecting; a flush is posted
};

}  // namespace pinpipe::ingest
