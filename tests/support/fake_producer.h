// An in-memory bus::Producer for tests of code that appends (the ingest
// API): records what was appended, answers on its own thread like a real
// bus, and can hold answers back or fail them on demand.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "bus/bus.h"

namespace pinpipe::testing {

// Thread-safe.
class FakeProducer : public bus::Producer {
 public:
  FakeProducer() : thread_([this] { Run(); }) {}
  ~FakeProducer() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      held_ = false;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Append(std::span<const bus::Message> messages, bus::AppendCallback done) override {
    std::lock_guard lock(mu_);
    Pending p{{}, std::move(done), fail_};
    for (const bus::Message& m : messages) {
      p.records.push_back({0, 0, m.timestamp, std::string(m.key), std::string(m.value)});
    }
    queue_.push_back(std::move(p));
    ++appends_;
    cv_.notify_all();
  }

  Status Flush(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    bool ok = cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
    return ok ? Status::Ok() : Status::Unavailable("flush timed out");
  }

  // While held, appends wait (unanswered) until Release().
  void Hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  // Appends from now on fail with `status` (nullopt: succeed again).
  void FailWith(std::optional<Status> status) {
    std::lock_guard lock(mu_);
    fail_ = std::move(status);
  }
  // Records made "durable", in append order.
  std::vector<bus::Record> records() {
    std::lock_guard lock(mu_);
    return records_;
  }
  int appends() {
    std::lock_guard lock(mu_);
    return appends_;
  }
  size_t waiting() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  struct Pending {
    std::vector<bus::Record> records;
    bus::AppendCallback done;
    std::optional<Status> fail;
  };

  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || (!held_ && !queue_.empty()); });
      if (queue_.empty()) return;  // stop_ and nothing left
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      Result<std::vector<bus::Position>> result = Status::Internal("unset");
      if (p.fail) {
        result = *p.fail;
      } else {
        std::vector<bus::Position> positions;
        for (bus::Record& r : p.records) {
          r.partition = bus::PartitionForKey(r.key, 4);
          r.offset = next_offset_[r.partition]++;
          positions.push_back({r.partition, r.offset});
          records_.push_back(r);
        }
        result = std::move(positions);
      }
      lock.unlock();
      p.done(std::move(result));
      lock.lock();
      busy_ = false;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  std::vector<bus::Record> records_;
  bus::Offset next_offset_[4] = {0, 0, 0, 0};
  std::optional<Status> fail_;
  bool held_ = false;
  bool stop_ = false;
  bool busy_ = false;
  int appends_ = 0;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace pinpipe::testing
