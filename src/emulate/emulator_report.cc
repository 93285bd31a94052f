// Text and JSON renderings of EmulatorCounts/EmulatorReport.
#include "emulate/emulator_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "pin/pin.h"

namespace pinpipe::emulate {
namespace {

double PerSecond(int64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }
double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

}  // namespace

std::string ProgressLine(const EmulatorCounts& c) {
  return fmt::format("{:7.1f}s  sent {}  accepted {}  rejected {}  failed {}  throttled {}  {:.0f} rec/s",
                     c.elapsed_s, c.records_sent, c.accepted, c.rejected, c.failed, c.throttled,
                     PerSecond(c.records_sent, c.elapsed_s));
}

std::string ReportText(const EmulatorReport& r, const std::string& target) {
  const EmulatorCounts& c = r.counts;
  std::string out = fmt::format("emulate: {} records in {} requests over {:.2f} s to {}\n", c.records_sent,
                                c.requests, c.elapsed_s, target);
  out += fmt::format("  sent {}  accepted {}  rejected {}  failed {}  throttled {}  other http errors {}\n",
                     c.records_sent, c.accepted, c.rejected, c.failed, c.throttled, c.http_errors);
  out += fmt::format("  {:.1f} req/s  {:.1f} records/s  ({} requests failed at the transport level)\n",
                     PerSecond(c.requests, c.elapsed_s), PerSecond(c.records_sent, c.elapsed_s), c.failed_requests);
  const LatencyHistogram& l = r.latency;
  out += fmt::format("  latency ms: p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}  (answered requests: {})\n",
                     Ms(l.Percentile(0.50)), Ms(l.Percentile(0.90)), Ms(l.Percentile(0.99)), Ms(l.max()), l.count());
  if (r.service_latency.Percentile(0.99) != l.Percentile(0.99)) {
    const LatencyHistogram& sl = r.service_latency;
    out += fmt::format("  from actual send: p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}\n", Ms(sl.Percentile(0.50)),
                       Ms(sl.Percentile(0.90)), Ms(sl.Percentile(0.99)), Ms(sl.max()));
  }
  std::string statuses;
  for (const auto& [status, n] : r.statuses) statuses += fmt::format("  {}: {}", status, n);
  if (!statuses.empty()) out += "  statuses:" + statuses + "\n";
  return out;
}

std::string ReportJson(const EmulatorReport& r, const EmulatorOptions& o, const std::string& target) {
  const EmulatorCounts& c = r.counts;
  std::string out = "{\"target\":";
  pin::AppendJsonString(target, &out);
  auto it = std::back_inserter(out);
  fmt::format_to(it, ",\"rate\":{},\"concurrency\":{},\"batch\":{}", o.rate, o.concurrency, o.batch);
  fmt::format_to(it,
                 ",\"elapsed_seconds\":{:.6f},\"requests\":{},\"sent\":{},\"accepted\":{},\"rejected\":{},"
                 "\"failed\":{},\"failed_requests\":{},\"throttled\":{},\"http_errors\":{}",
                 c.elapsed_s, c.requests, c.records_sent, c.accepted, c.rejected, c.failed, c.failed_requests,
                 c.throttled, c.http_errors);
  fmt::format_to(it, ",\"requests_per_second\":{:.3f},\"records_per_second\":{:.3f}", PerSecond(c.requests, c.elapsed_s),
                 PerSecond(c.records_sent, c.elapsed_s));
  const LatencyHistogram& l = r.latency;
  fmt::format_to(it, ",\"latency_ms\":{{\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f},\"count\":{}}}",
                 Ms(l.Percentile(0.50)), Ms(l.Percentile(0.90)), Ms(l.Percentile(0.99)), Ms(l.max()), l.count());
  const LatencyHistogram& sl = r.service_latency;
  fmt::format_to(it, ",\"service_latency_ms\":{{\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f}}}",
                 Ms(sl.Percentile(0.50)), Ms(sl.Percentile(0.90)), Ms(sl.Percentile(0.99)), Ms(sl.max()));
  out += ",\"statuses\":{";
  bool first = true;
  for (const auto& [status, n] : r.statuses) {
    fmt::format_to(it, "{}\"{}\":{}", first ? "" : ",", status, n);
    first = false;
  }
  out += "}}\n";
  return out;
}

}  // namespace pinpipe::emulate
