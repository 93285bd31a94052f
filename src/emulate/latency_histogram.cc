// Values below 256 µs are exact; above, each power of two is split into 128
// sub-buckets (relative error < 1/128).
#include "emulate/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pinpipe::emulate {
namespace {
constexpr int kSubBits = 7;
constexpr uint64_t kSub = 1u << kSubBits;  // 128
constexpr uint64_t kExact = 2 * kSub;      // 256
constexpr int kMaxExponent = 62;
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kExact + (kMaxExponent - 8 + 1) * kSub, 0) {}

size_t LatencyHistogram::Index(uint64_t v) {
  if (v < kExact) return static_cast<size_t>(v);
  int e = 63 - std::countl_zero(v);  // >= 8
  int shift = e - kSubBits;
  return static_cast<size_t>(kExact + static_cast<uint64_t>(e - 8) * kSub + ((v >> shift) - kSub));
}

uint64_t LatencyHistogram::UpperBound(size_t index) {
  if (index < kExact) return index;
  uint64_t rel = index - kExact;
  int e = static_cast<int>(rel / kSub) + 8;
  uint64_t sub = rel % kSub + kSub;
  int shift = e - kSubBits;
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t micros) {
  uint64_t v = micros < 0 ? 0 : static_cast<uint64_t>(micros);
  ++counts_[std::min(Index(v), counts_.size() - 1)];
  ++count_;
  max_ = std::max<int64_t>(max_, static_cast<int64_t>(v));
}

void LatencyHistogram::Add(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  auto rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min<int64_t>(static_cast<int64_t>(UpperBound(i)), max_);
  }
  return max_;
}

}  // namespace pinpipe::emulate
