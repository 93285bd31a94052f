// One Append per event-loop turn: Add() opens a group and posts its flush
// behind the handlers already queued, so the requests that became readable
// in the same epoll round join it.
#include "ingest/append_batcher.h"

#include <boost/asio/post.hpp>

#include "ingest/http_connection.h"
#include "ingest/server_state.h"

namespace pinpipe::ingest {

namespace {
// A group this large is flushed at once rather than at the end of the turn.
constexpr size_t kMaxGroupMessages = 20'000;
constexpr size_t kMaxGroupKeyBytes = 4u << 20;
}  // namespace

struct AppendBatcher::Group {
  struct Part {
    std::shared_ptr<Connection> connection;
    size_t first = 0;
    size_t count = 0;
  };
  std::vector<Part> parts;
  std::string keys;  // every key, back to back
  std::vector<std::pair<size_t, size_t>> key_spans;
  std::vector<bus::Message> messages;  // keys fixed up in Flush, once `keys` stops growing
  int64_t start_us = 0;
};

void AppendBatcher::Add(std::shared_ptr<Connection> connection, std::span<const bus::Message> messages) {
  if (!open_) {
    open_ = std::make_shared<Group>();
    open_->start_us = state_->clock->MonotonicMicros();
    state_->pending_appends.fetch_add(1);
    boost::asio::post(ioc_, [this] { Flush(); });
  }
  Group& g = *open_;
  g.parts.push_back({std::move(connection), g.messages.size(), messages.size()});
  for (const bus::Message& m : messages) {
    g.key_spans.emplace_back(g.keys.size(), m.key.size());
    g.keys.append(m.key);
    g.messages.push_back(m);
  }
  if (g.messages.size() >= kMaxGroupMessages || g.keys.size() >= kMaxGroupKeyBytes) Flush();
}

void AppendBatcher::Flush() {
  if (!open_) return;  // flushed early because it grew large
  std::shared_ptr<Group> group = std::move(open_);
  for (size_t i = 0; i < group->messages.size(); ++i) {
    group->messages[i].key = std::string_view(group->keys).substr(group->key_spans[i].first, group->key_spans[i].second);
  }
  ServerState* state = state_;
  boost::asio::io_context* ioc = &ioc_;
  // The callback runs on a bus thread: it only moves the result back here.
  state_->producer->Append(group->messages, [group, state, ioc](Result<std::vector<bus::Position>> r) mutable {
    boost::asio::post(*ioc, [group = std::move(group), state, r = std::move(r)]() {
      state->metrics.BusAppend(static_cast<double>(state->clock->MonotonicMicros() - group->start_us) / 1e6);
      Deliver(group.get(), r);
      if (state->pending_appends.fetch_sub(1) == 1 && state->draining.load()) state->Notify();
    });
  });
}

void AppendBatcher::Deliver(Group* group, const Result<std::vector<bus::Position>>& result) {
  for (Group::Part& part : group->parts) {
    if (!result.ok()) {
      part.connection->OnAppended(result.status(), {});
    } else if (result->size() != group->messages.size()) {
      part.connection->OnAppended(Status::Internal("the bus answered with the wrong number of positions"), {});
    } else {
      part.connection->OnAppended(Status::Ok(), std::span<const bus::Position>(*result).subspan(part.first, part.count));
    }
  }
}

}  // namespace pinpipe::ingest
