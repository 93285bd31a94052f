// Test double: an in-memory bus whose records carry the timestamps a test
// chooses, with partitions that can be held back (their records reported by
// DescribeTopic but not delivered) to model a slow reader.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "bus/bus.h"

namespace pinpipe::testing {

// Thread-safe.
class FakeBus final : public bus::Bus {
 public:
  Status CreateTopic(const std::string& topic, int32_t partitions) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = topics_.find(topic);
    if (it != topics_.end()) {
      return static_cast<int32_t>(it->second.size()) == partitions ? Status::Ok()
                                                                    : Status::AlreadyExists("topic " + topic);
    }
    topics_[topic].resize(partitions);
    return Status::Ok();
  }
  Result<std::vector<bus::PartitionInfo>> DescribeTopic(const std::string& topic) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return Status::NotFound("no topic " + topic);
    std::vector<bus::PartitionInfo> out;
    for (size_t p = 0; p < it->second.size(); ++p) {
      out.push_back({static_cast<bus::PartitionId>(p), 0, static_cast<bus::Offset>(it->second[p].size()), 0});
    }
    return out;
  }
  Result<std::unique_ptr<bus::Producer>> NewProducer(const std::string&) override {
    return Status::Internal("FakeBus has no producer; use Add");
  }
  Result<std::unique_ptr<bus::Consumer>> NewConsumer(const std::string& topic) override {
    return std::unique_ptr<bus::Consumer>(new Consumer(this, topic));
  }

  // Appends a record to `partition` of `topic`; returns its offset.
  bus::Offset Add(const std::string& topic, bus::PartitionId partition, UnixMicros timestamp, std::string value) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& records = topics_.at(topic).at(partition);
    bus::Record r{partition, static_cast<bus::Offset>(records.size()), timestamp, "", std::move(value)};
    records.push_back(std::move(r));
    cv_.notify_all();
    return records.back().offset;
  }
  void Hold(bus::PartitionId partition, bool held) {
    std::lock_guard<std::mutex> lock(mu_);
    if (held) {
      held_.insert(partition);
    } else {
      held_.erase(partition);
    }
    cv_.notify_all();
  }

 private:
  class Consumer final : public bus::Consumer {
   public:
    Consumer(FakeBus* bus, std::string topic) : bus_(bus), topic_(std::move(topic)) {}
    Status Assign(const std::map<bus::PartitionId, bus::Offset>& next) override {
      next_ = next;
      return Status::Ok();
    }
    Result<std::vector<bus::Record>> Poll(size_t max_records, std::chrono::milliseconds timeout) override {
      std::unique_lock<std::mutex> lock(bus_->mu_);
      std::vector<bus::Record> out;
      auto collect = [&] {
        const auto& parts = bus_->topics_.at(topic_);
        for (auto& [p, next] : next_) {
          if (bus_->held_.count(p) != 0) continue;
          const auto& records = parts.at(p);
          while (next < static_cast<bus::Offset>(records.size()) && out.size() < max_records) {
            out.push_back(records[next++]);
          }
        }
        return !out.empty();
      };
      bus_->cv_.wait_for(lock, timeout, collect);
      return out;
    }

   private:
    FakeBus* bus_;
    std::string topic_;
    std::map<bus::PartitionId, bus::Offset> next_;
  };

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<std::vector<bus::Record>>> topics_;
  std::set<bus::PartitionId> held_;
};

}  // namespace pinpipe::testing
