// `batch --verify`: re-count one date of the lake's raw zone against the
// warehouse without writing anything: the warehouse must hold exactly the
// distinct unique_ids of the date, each as its newest version (greatest
// (ingested_at, partition, offset)), and exactly the date's rejects.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "jobs/batch.h"
#include "lake/object_store.h"
#include "sinks/warehouse.h"

namespace pinpipe::jobs {

struct VerifyReport {
  std::string date;
  int64_t raw_records = 0;
  int64_t distinct = 0;         // unique_ids the lake holds for the date
  int64_t rejected = 0;
  int64_t warehouse_rows = 0;
  int64_t warehouse_rejects = 0;
  int64_t stale_rows = 0;       // warehouse rows that are not the newest version
  int64_t unknown_rows = 0;     // warehouse rows whose unique_id the lake lacks
  std::vector<int> missing_hours;

  bool Ok() const {
    return warehouse_rows == distinct && warehouse_rejects == rejected && stale_rows == 0 && unknown_rows == 0;
  }
  std::string Format() const;
};

// Uses options.date, dataset, threads, rows_per_chunk and chunks_ahead.
// Reading errors are returned as in RunBatch; a mismatch is not an error
// here (see VerifyReport::Ok).
Result<VerifyReport> VerifyBatch(const BatchOptions& options, lake::ObjectStore* store, sinks::Warehouse* warehouse);

}  // namespace pinpipe::jobs
