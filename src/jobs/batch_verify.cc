// VerifyBatch: the newest (ingested_at, partition, offset) per unique_id from
// the lake, compared with every warehouse row of the date.
#include "jobs/batch_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "jobs/batch_plan.h"

namespace pinpipe::jobs {
namespace {

struct Version {
  pin::PackedUuid id;
  int64_t ingested_at;
  int32_t partition;
  int64_t offset;
  auto Key() const { return std::tie(ingested_at, partition, offset); }
};

}  // namespace

std::string VerifyReport::Format() const {
  std::string out = fmt::format(
      "verify dt={}: lake {} raw records, {} distinct unique_ids, {} rejected; warehouse {} rows, {} rejects",
      date, raw_records, distinct, rejected, warehouse_rows, warehouse_rejects);
  if (stale_rows > 0) out += fmt::format("; {} rows are not the newest version", stale_rows);
  if (unknown_rows > 0) out += fmt::format("; {} rows are not in the lake", unknown_rows);
  out += Ok() ? "  OK\n" : "  MISMATCH (run pinpipe batch --date " + date + " again)\n";
  return out;
}

Result<VerifyReport> VerifyBatch(const BatchOptions& options, lake::ObjectStore* store, sinks::Warehouse* warehouse) {
  PINPIPE_RETURN_IF_ERROR(ValidateBatchOptions(options));
  PINPIPE_ASSIGN_OR_RETURN(BatchPlan plan, PlanDate(store, options));
  VerifyReport report;
  report.date = options.date;
  report.missing_hours = plan.missing_hours;
  std::vector<Version> versions;
  PINPIPE_RETURN_IF_ERROR(ReadPlan(options, store, plan, [&](BatchChunk& chunk, const RawObjectTask&) {
    report.raw_records += chunk.raw_records;
    report.rejected += static_cast<int64_t>(chunk.rejects.size());
    for (const sinks::WarehouseRowView& r : chunk.rows) {
      versions.push_back({*r.packed_id, r.ingested_at, r.partition, r.offset});
    }
    return Status::Ok();
  }));
  // Newest version of each id first, then keep the first of each id.
  std::sort(versions.begin(), versions.end(), [](const Version& a, const Version& b) {
    return a.id != b.id ? a.id < b.id : a.Key() > b.Key();
  });
  versions.erase(std::unique(versions.begin(), versions.end(),
                             [](const Version& a, const Version& b) { return a.id == b.id; }),
                 versions.end());
  report.distinct = static_cast<int64_t>(versions.size());

  PINPIPE_ASSIGN_OR_RETURN(sinks::DateCounts counts, warehouse->CountDate(options.date));
  report.warehouse_rejects = counts.rejects;
  PINPIPE_RETURN_IF_ERROR(warehouse->ScanDate(options.date, 0, INT64_MAX, [&](const sinks::WarehouseRow& row) {
    ++report.warehouse_rows;
    Version probe{};
    if (!pin::PackUuid(row.record.unique_id, &probe.id)) {
      ++report.unknown_rows;
      return Status::Ok();
    }
    auto it = std::lower_bound(versions.begin(), versions.end(), probe,
                               [](const Version& a, const Version& b) { return a.id < b.id; });
    if (it == versions.end() || it->id != probe.id) {
      ++report.unknown_rows;
    } else if (std::make_tuple(row.record.ingested_at.value_or(INT64_MIN), row.partition, row.offset) != it->Key()) {
      ++report.stale_rows;
    }
    return Status::Ok();
  }));
  return report;
}

}  // namespace pinpipe::jobs
