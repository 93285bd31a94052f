// Text exposition format 0.0.4: escaping rules and line shapes.
#include "metrics/exposition.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

namespace pinpipe::metrics {

void AppendValue(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(value));
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", value);
  }
}

void AppendEscapedLabelValue(std::string_view value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '\n': out->append("\\n"); break;
      default: out->push_back(c);
    }
  }
}

void AppendFamilyHeader(std::string_view name, std::string_view help, std::string_view type, std::string* out) {
  out->append("# HELP ").append(name).push_back(' ');
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
  out->append("\n# TYPE ").append(name).push_back(' ');
  out->append(type).push_back('\n');
}

void AppendSample(std::string_view name, std::string_view suffix, const Labels& labels, double value,
                  std::string* out, std::string_view extra_label_value) {
  out->append(name).append(suffix);
  if (!labels.empty() || !extra_label_value.empty()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out->push_back(',');
      first = false;
      out->append(k).append("=\"");
      AppendEscapedLabelValue(v, out);
      out->push_back('"');
    }
    if (!extra_label_value.empty()) {
      if (!first) out->push_back(',');
      out->append("le=\"").append(extra_label_value).push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendValue(value, out);
  out->push_back('\n');
}

void AppendHistogram(std::string_view name, const Labels& labels, const Histogram& h, std::string* out) {
  const std::vector<double>& bounds = h.UpperBounds();
  std::vector<uint64_t> cumulative(bounds.size() + 1);
  // Per-bucket counts are read once; the cumulative sums derive from that
  // snapshot, so buckets never decrease and +Inf equals _count.
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    uint64_t through_i = h.CumulativeCount(i);
    running = std::max(running, through_i);
    cumulative[i] = running;
  }
  std::string le;
  for (size_t i = 0; i < bounds.size(); ++i) {
    le.clear();
    AppendValue(bounds[i], &le);
    AppendSample(name, "_bucket", labels, static_cast<double>(cumulative[i]), out, le);
  }
  AppendSample(name, "_bucket", labels, static_cast<double>(cumulative.back()), out, "+Inf");
  AppendSample(name, "_sum", labels, h.Sum(), out);
  AppendSample(name, "_count", labels, static_cast<double>(cumulative.back()), out);
}

}  // namespace pinpipe::metrics
