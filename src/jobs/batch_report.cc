// The reconciliation text of a batch run.
#include <fmt/format.h>

#include "jobs/batch.h"

namespace pinpipe::jobs {
namespace {

std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string Megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

// "3, 5-7, 23"
std::string HourRanges(const std::vector<int>& hours) {
  std::string out;
  for (size_t i = 0; i < hours.size();) {
    size_t j = i;
    while (j + 1 < hours.size() && hours[j + 1] == hours[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{:02d}", hours[i]) : fmt::format("{:02d}-{:02d}", hours[i], hours[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string BatchReport::Format() const {
  std::string out = fmt::format("batch dt={}: {} raw objects ({}), {}/24 hours marked complete\n", date,
                                raw_objects, Megabytes(raw_bytes), 24 - missing_hours.size());
  size_t w = std::max<size_t>(Grouped(raw_records).size(), 1);
  out += fmt::format("  raw records  {:>{}}\n", Grouped(raw_records), w);
  out += fmt::format("  loaded       {:>{}}\n", Grouped(loaded), w);
  out += fmt::format("  duplicates   {:>{}}\n", Grouped(duplicates), w);
  out += fmt::format("  rejected     {:>{}}\n", Grouped(rejected), w);
  if (overlap_skipped > 0) {
    out += fmt::format("  (skipped {} records landed twice by overlapping objects)\n", Grouped(overlap_skipped));
  }
  out += fmt::format("  check: raw {} = loaded {} + duplicates {} + rejected {}  {}\n", Grouped(raw_records),
                     Grouped(loaded), Grouped(duplicates), Grouped(rejected), Balanced() ? "OK" : "MISMATCH");
  if (seconds > 0) {
    out += fmt::format("  clean zone: {} object(s) ({}); {:.2f} s, {} records/s\n", clean_objects,
                       Megabytes(clean_bytes), seconds,
                       Grouped(static_cast<int64_t>(static_cast<double>(raw_records) / seconds)));
  }
  return out;
}

std::string BatchReport::MissingHoursWarning() const {
  if (missing_hours.empty()) return "";
  return fmt::format("dt={} is not complete: no _SUCCESS for hour(s) {} (land has not passed them yet)", date,
                     HourRanges(missing_hours));
}

}  // namespace pinpipe::jobs
