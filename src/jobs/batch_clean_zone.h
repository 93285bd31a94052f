// The lake's clean zone for one date, read back from the warehouse: the
// committed rows of that date as NDJSON (the clean record of
// spec/cleaning.md plus bus_partition and bus_offset), in parts of
// `part_rows` rows in the date's stable order, rendered and compressed in
// parallel from reader connections; then stale parts are removed and a
// _SUCCESS marker is written. `batch` writes the zone while loading
// (jobs/clean_zone_stager.h) and falls back to this when it cannot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "lake/object_store.h"
#include "sinks/warehouse.h"

namespace pinpipe::jobs {

struct CleanZoneOptions {
  std::string dataset = "pins";
  std::string date;
  int64_t part_rows = 100'000;  // rows per part-NNNN object
  int threads = 2;              // parts rendered at once (one reader connection each)
  int zstd_level = 1;
};

struct CleanZoneStats {
  int64_t objects = 0;
  uint64_t bytes = 0;  // compressed
  int64_t rows = 0;
};

// Removes the date's _SUCCESS, writes part-0000.. from `warehouse`'s
// committed rows (threads started here and joined before returning),
// deletes older parts beyond the new count, and writes _SUCCESS. Readers
// should use a date's clean zone only while its _SUCCESS exists.
Result<CleanZoneStats> WriteCleanZone(lake::ObjectStore* store, sinks::Warehouse* warehouse,
                                      const CleanZoneOptions& options);

// The last step of writing a date's zone, once parts 0..parts-1 are in
// place: deletes the older parts numbered `parts` or more (found in
// `old_objects`, the date's listing taken before the write) and writes
// _SUCCESS.
Status CompleteCleanZone(lake::ObjectStore* store, const CleanZoneOptions& options,
                         const std::vector<lake::ObjectInfo>& old_objects, int64_t parts);

// One clean-zone line (no newline): the clean record JSON with
// "bus_partition" and "bus_offset" appended. Uses row.forms.tag_list_json
// when set.
void AppendCleanZoneLine(const sinks::WarehouseRow& row, std::string* out);
// Makes the clean JSON object that *out ends with a clean-zone line: its
// closing brace gives way to "bus_partition" and "bus_offset".
void EndCleanZoneLine(int32_t partition, int64_t offset, std::string* out);

}  // namespace pinpipe::jobs
