// `batch`: one date of the lake's raw zone -> clean -> dedupe -> warehouse
// (replacing that date in one transaction) and the lake's clean zone, with a
// reconciliation that must balance: raw = loaded + duplicates + rejected.
// Re-running a date gives the same table. Layout: docs/lake-layout.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "lake/object_store.h"
#include "metrics/metrics.h"
#include "sinks/warehouse.h"

namespace pinpipe::jobs {

struct BatchProgress {
  int64_t objects_done = 0;
  int64_t objects_total = 0;
  uint64_t bytes_done = 0;   // compressed raw bytes of finished objects
  uint64_t bytes_total = 0;
  int64_t records = 0;       // raw records loaded into the replacement so far
};

struct BatchOptions {
  std::string date;               // YYYY-MM-DD (UTC), required
  std::string dataset = "pins";   // raw/<dataset>/..., clean/<dataset>/...
  int threads = 2;                // workers reading + cleaning objects in parallel
  size_t rows_per_chunk = 4096;   // landed lines a worker reads, cleans and hands to the loader at once
  size_t chunks_ahead = 2;        // chunks per worker made ahead of the loader (memory bound)
  int64_t clean_part_rows = 100'000;  // rows per clean part-NNNN object
  int zstd_level = 1;             // clean zone compression (3 is no smaller on this data, 2x slower)
  // Recent lines the clean zone keeps open for a later version of their
  // unique_id (jobs/clean_zone_stager.h); a version further back makes
  // the batch read the zone back from the warehouse after the commit.
  int64_t clean_zone_window_rows = 32768;
  size_t clean_zone_window_bytes = 64u << 20;  // and at most this much of their text
  // Called on the calling thread after each chunk is loaded; may be empty.
  std::function<void(const BatchProgress&)> progress;
};

struct BatchReport {
  std::string date;
  int64_t raw_objects = 0;
  uint64_t raw_bytes = 0;         // compressed
  int64_t raw_records = 0;        // envelope lines read (overlaps excluded)
  int64_t accepted = 0;           // cleaned
  int64_t loaded = 0;             // distinct unique_ids in the warehouse for the date
  int64_t duplicates = 0;         // accepted records that lost to a newer one of the same unique_id
  int64_t rejected = 0;
  int64_t overlap_skipped = 0;    // records landed twice by overlapping objects, read once
  std::vector<int> missing_hours; // hours of the date without a raw _SUCCESS marker
  int64_t clean_objects = 0;
  uint64_t clean_bytes = 0;       // compressed
  bool clean_zone_read_back = false;  // written from the warehouse after the commit, not while loading
  double seconds = 0;

  bool Balanced() const { return raw_records == loaded + duplicates + rejected; }
  // The reconciliation lines `pinpipe batch` prints.
  std::string Format() const;
  // One line naming the hours without _SUCCESS; empty when the day is complete.
  std::string MissingHoursWarning() const;
};

// Runs one date. Starts `threads` worker threads and joins them before it
// returns. Nothing is committed unless every object was read and the
// reconciliation balances: a corrupt or unreadable object fails the batch
// with a message naming its key. The clean zone is staged while loading
// and published after the commit (or, when a unique_id's versions lie too
// far apart, written from the warehouse then); if that fails the error
// says so (the warehouse already holds the new date; run again).
// `registry` may be null. Borrows everything.
Result<BatchReport> RunBatch(const BatchOptions& options, lake::ObjectStore* store, sinks::Warehouse* warehouse,
                             Clock* clock, metrics::Registry* registry);

}  // namespace pinpipe::jobs
