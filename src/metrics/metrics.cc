// Counter/Gauge/Histogram updates (lock-free atomics) and the Registry that
// owns them and renders the Prometheus text exposition format 0.0.4.
#include "metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "core/check.h"
#include "metrics/exposition.h"

namespace pinpipe::metrics {

void Counter::Inc(double by) {
  PINPIPE_CHECK_MSG(by >= 0.0, "a counter never decreases");
  value_.fetch_add(by, std::memory_order_relaxed);
}
double Counter::Value() const { return value_.load(std::memory_order_relaxed); }

void Gauge::Set(double v) { value_.store(v, std::memory_order_relaxed); }
void Gauge::Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
double Gauge::Value() const { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    PINPIPE_CHECK_MSG(std::isfinite(bounds_[i]), "histogram bounds must be finite (+Inf is implicit)");
    PINPIPE_CHECK_MSG(i == 0 || bounds_[i - 1] < bounds_[i], "histogram bounds must ascend strictly");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // NaN lands in +Inf, as the Prometheus Go client does.
  size_t i = std::isnan(value) ? bounds_.size()
                               : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                                     bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

uint64_t Histogram::Count() const { return CumulativeCount(bounds_.size()); }

double Histogram::Sum() const { return sum_.load(std::memory_order_relaxed); }

uint64_t Histogram::CumulativeCount(size_t i) const {
  PINPIPE_CHECK(i <= bounds_.size());
  uint64_t total = 0;
  for (size_t j = 0; j <= i; ++j) total += counts_[j].load(std::memory_order_relaxed);
  return total;
}

namespace {

enum class Type { kCounter, kGauge, kHistogram };

struct Child {
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
};

struct Family {
  Type type;
  std::string help;
  std::vector<double> bounds;      // histograms only
  std::map<Labels, Child> children;  // labels sorted by name
};

bool ValidName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

Labels Normalized(const Labels& labels, Type type) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& n = sorted[i].first;
    PINPIPE_CHECK_MSG(ValidName(n, false) && n.rfind("__", 0) != 0, "invalid label name");
    PINPIPE_CHECK_MSG(i == 0 || sorted[i - 1].first != n, "duplicate label name");
    PINPIPE_CHECK_MSG(type != Type::kHistogram || n != "le", "'le' is reserved for histogram buckets");
  }
  return sorted;
}

}  // namespace

struct Registry::Impl {
  mutable std::mutex mu;
  std::map<std::string, Family, std::less<>> families;

  // REQUIRES: mu held.
  Child& Find(std::string_view name, std::string_view help, Type type, const Labels& labels,
              const std::vector<double>* bounds) {
    PINPIPE_CHECK_MSG(ValidName(name, true), "invalid metric name");
    auto it = families.find(name);
    if (it == families.end()) {
      Family f{type, std::string(help), bounds != nullptr ? *bounds : std::vector<double>{}, {}};
      it = families.emplace(std::string(name), std::move(f)).first;
    }
    Family& family = it->second;
    PINPIPE_CHECK_MSG(family.type == type, "metric registered twice with different types");
    PINPIPE_CHECK_MSG(bounds == nullptr || family.bounds == *bounds,
                      "histogram registered twice with different buckets");
    Child& child = family.children[Normalized(labels, type)];
    if (type == Type::kCounter && !child.counter) child.counter = std::make_unique<Counter>();
    if (type == Type::kGauge && !child.gauge) child.gauge = std::make_unique<Gauge>();
    if (type == Type::kHistogram && !child.histogram) child.histogram = std::make_unique<Histogram>(family.bounds);
    return child;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  return *impl_->Find(name, help, Type::kCounter, labels, nullptr).counter;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  return *impl_->Find(name, help, Type::kGauge, labels, nullptr).gauge;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                                  const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  return *impl_->Find(name, help, Type::kHistogram, labels, &upper_bounds).histogram;
}

std::string Registry::Exposition() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, family] : impl_->families) {
    const char* type = family.type == Type::kCounter ? "counter" : family.type == Type::kGauge ? "gauge" : "histogram";
    AppendFamilyHeader(name, family.help, type, &out);
    for (const auto& [labels, child] : family.children) {
      if (child.counter) AppendSample(name, "", labels, child.counter->Value(), &out);
      if (child.gauge) AppendSample(name, "", labels, child.gauge->Value(), &out);
      if (child.histogram) AppendHistogram(name, labels, *child.histogram, &out);
    }
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> SizeBuckets() { return {1, 4, 16, 64, 256, 1000, 4000, 16000, 64000, 100000}; }

}  // namespace pinpipe::metrics
