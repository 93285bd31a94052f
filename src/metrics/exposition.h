// Pieces of the Prometheus text exposition format 0.0.4 (escaping, number
// spelling, sample lines), used by Registry::Exposition. Internal to metrics.
#pragma once

#include <string>
#include <string_view>

#include "metrics/metrics.h"

namespace pinpipe::metrics {

// The Content-Type a scrape response carries.
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

// "# HELP name help\n# TYPE name type\n" (help: `\` and newline escaped).
void AppendFamilyHeader(std::string_view name, std::string_view help, std::string_view type, std::string* out);

// `name+suffix{labels} value\n`; `extra_label` (e.g. le="0.5") goes last.
void AppendSample(std::string_view name, std::string_view suffix, const Labels& labels, double value,
                  std::string* out, std::string_view extra_label_value = {});

// _bucket lines (cumulative, ending with le="+Inf"), _sum and _count; the
// +Inf bucket and _count come from one snapshot so they always agree.
void AppendHistogram(std::string_view name, const Labels& labels, const Histogram& h, std::string* out);

// A sample value: integers without a fraction, "+Inf", "-Inf", "NaN",
// otherwise the shortest text that reads back as the same double.
void AppendValue(double value, std::string* out);

// A label value with `\`, `"` and newline escaped (no quotes added).
void AppendEscapedLabelValue(std::string_view value, std::string* out);

}  // namespace pinpipe::metrics
