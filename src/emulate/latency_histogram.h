// Request latencies in microseconds, kept as a log-linear histogram (under
// 1% error, a few thousand counters) so a long run needs no per-request memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pinpipe::emulate {

// Externally serialized; merge per-thread histograms with Add.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void Record(int64_t micros);
  void Add(const LatencyHistogram& other);
  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // The value at or below which `q` (0..1] of the samples fall; 0 when empty.
  int64_t Percentile(double q) const;

 private:
  static size_t Index(uint64_t v);
  static uint64_t UpperBound(size_t index);
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace pinpipe::emulate
