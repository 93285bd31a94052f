// Prometheus metrics: counters, gauges and histograms in a Registry that
// renders the text exposition format 0.0.4. Names follow
// pinpipe_<module>_<what>_<unit> with _total, _bytes, _seconds suffixes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pinpipe::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Thread-safe, lock-free updates.
class Counter {
 public:
  void Inc(double by = 1.0);
  double Value() const;

 private:
  std::atomic<double> value_{0.0};
};

// Thread-safe, lock-free updates.
class Gauge {
 public:
  void Set(double v);
  void Add(double by);
  double Value() const;

 private:
  std::atomic<double> value_{0.0};
};

// Thread-safe; Observe is lock-free. Bucket upper bounds are fixed at creation
// (sorted ascending; +Inf is implicit).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  uint64_t Count() const;
  double Sum() const;
  const std::vector<double>& UpperBounds() const { return bounds_; }
  // Cumulative count of observations <= UpperBounds()[i]; i == size() is +Inf.
  uint64_t CumulativeCount(size_t i) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<double> sum_{0.0};
};

// Thread-safe. Metric objects live as long as the registry; the same
// (name, labels) returns the same object, so callers may cache references.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                          const Labels& labels = {});

  // Every metric in the Prometheus text format 0.0.4.
  std::string Exposition() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Seconds, from 100 µs to 10 s: request, commit and end-to-end latencies.
std::vector<double> LatencyBuckets();
// 1 to 100,000 in powers of ~4: batch sizes in records.
std::vector<double> SizeBuckets();

}  // namespace pinpipe::metrics
