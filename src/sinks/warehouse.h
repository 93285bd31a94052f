// The warehouse: where `batch` replaces one date of clean, deduplicated pins
// (table `pins`) and its rejects (`pins_rejected`) atomically, and where
// `query` runs ad-hoc SQL. Backends: SQLite (embedded default); ClickHouse
// later, behind the same interface. Tables: docs/lake-layout.md, spec/cli.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "pin/packed_uuid.h"
#include "pin/pin.h"

namespace pinpipe::sinks {

// Values of a WarehouseRow's record in the form a warehouse stores, when
// whoever made the row has them at hand (ScanDate keeps the stored
// tag_list; the clean zone then copies it). Empty: rendered from the
// record where needed.
struct WarehouseRowForms {
  std::string tag_list_json;  // pin::AppendTagListJson(record.tag_list)
};

// One clean record and where it came from. REQUIRES: record.ingested_at set.
struct WarehouseRow {
  pin::CleanRecord record;
  int32_t partition = 0;
  int64_t offset = 0;
  WarehouseRowForms forms;  // a cache of record's values: not compared
  friend bool operator==(const WarehouseRow& a, const WarehouseRow& b) {
    return a.record == b.record && a.partition == b.partition && a.offset == b.offset;
  }
};

// A row as a warehouse writes it: every value in its stored form, texts as
// views into memory the producer keeps until AddRows returns. `batch`'s
// readers point them into the clean-zone lines they write anyway, so a
// row's text is written once, into one buffer, and never copied into
// strings of its own (that copy was ~13% of a day's CPU). A missing
// optional text is NULL.
struct WarehouseRowView {
  std::string_view unique_id;
  std::optional<pin::PackedUuid> packed_id;  // of unique_id; unset: computed by the warehouse
  std::optional<int64_t> ind;
  std::optional<std::string_view> title;
  std::optional<std::string_view> description;
  std::optional<std::string_view> poster_name;
  std::optional<int64_t> follower_count;
  std::string_view tag_list_json;  // as pin::AppendTagListJson writes it
  std::optional<bool> is_video;
  std::optional<std::string_view> media_type;
  std::optional<std::string_view> image_src;
  std::optional<bool> downloaded;
  std::optional<std::string_view> save_location;
  std::optional<std::string_view> category;
  UnixMicros ingested_at = 0;
  std::string_view ingested_at_text;  // as AppendRfc3339Micros writes ingested_at
  int32_t partition = 0;
  int64_t offset = 0;
};

// `row` as a view of its record and of the stored forms of its tag_list
// and ingested_at (REQUIRES: all of them outlive the view).
inline WarehouseRowView ViewOfRow(const WarehouseRow& row, std::string_view tag_list_json,
                                  std::string_view ingested_at_text) {
  auto text = [](const std::optional<std::string>& v) -> std::optional<std::string_view> {
    if (!v) return std::nullopt;
    return std::string_view(*v);
  };
  const pin::CleanRecord& r = row.record;
  WarehouseRowView v;
  v.unique_id = r.unique_id;
  v.ind = r.ind;
  v.title = text(r.title);
  v.description = text(r.description);
  v.poster_name = text(r.poster_name);
  v.follower_count = r.follower_count;
  v.tag_list_json = tag_list_json;
  v.is_video = r.is_video;
  v.media_type = text(r.media_type);
  v.image_src = text(r.image_src);
  v.downloaded = r.downloaded;
  v.save_location = text(r.save_location);
  v.category = text(r.category);
  v.ingested_at = r.ingested_at.value_or(0);
  v.ingested_at_text = ingested_at_text;
  v.partition = row.partition;
  v.offset = row.offset;
  return v;
}

// One rejected raw record of the date.
struct WarehouseReject {
  std::string reason;  // pin::RejectReasonName
  std::string field;   // empty: none
  std::string detail;
  std::string raw;     // the whole raw record, valid UTF-8
  int32_t partition = 0;
  int64_t offset = 0;
  UnixMicros ingested_at = 0;
};

struct DateCounts {
  int64_t rows = 0;     // distinct unique_ids of the date
  int64_t rejects = 0;
};

// One date being replaced: the date starts empty, rows and rejects are
// added, and Commit makes the new date visible at once. Destroying it
// without Commit discards everything (the old date stays). Externally
// serialized; must not outlive its Warehouse.
class DateReplacement {
 public:
  virtual ~DateReplacement() = default;
  // A unique_id may repeat, within a call or across calls: the date keeps
  // the row with the greatest (ingested_at, partition, offset) — the same
  // order the stream path uses (sinks::IsNewer). `places` (may be null)
  // receives, per row, its unique_id's place in the date: 0, 1, 2, ... in
  // the order ids were first added (ScanDate's order), so a caller can keep
  // something per id in step without a map of its own.
  virtual Status AddRows(std::span<const WarehouseRowView> rows, std::vector<int64_t>* places = nullptr) = 0;
  // The same for whole rows (tests, small loads): renders what their forms
  // lack. kInvalidArgument for a row without ingested_at.
  Status AddRows(std::span<const WarehouseRow> rows, std::vector<int64_t>* places = nullptr);
  virtual Status AddRejects(std::span<const WarehouseReject> rejects) = 0;
  // What the date holds now, uncommitted additions included.
  virtual Result<DateCounts> Counts() = 0;
  virtual Status Commit() = 0;
};

inline Status DateReplacement::AddRows(std::span<const WarehouseRow> rows, std::vector<int64_t>* places) {
  struct StoredForms {
    std::string tag_list_json, ingested_at;
  };
  std::vector<StoredForms> forms(rows.size());  // sized once: the views point into its strings
  std::vector<WarehouseRowView> views;
  views.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const WarehouseRow& row = rows[i];
    if (!row.record.ingested_at) {
      return Status::InvalidArgument("warehouse row " + row.record.unique_id + " has no ingested_at");
    }
    StoredForms& f = forms[i];
    f.tag_list_json = row.forms.tag_list_json;
    if (f.tag_list_json.empty()) pin::AppendTagListJson(row.record.tag_list, &f.tag_list_json);
    AppendRfc3339Micros(*row.record.ingested_at, &f.ingested_at);
    views.push_back(ViewOfRow(row, f.tag_list_json, f.ingested_at));
  }
  return AddRows(std::span<const WarehouseRowView>(views), places);
}

// A cell of a query result: its SQL type and its text form (numbers as
// written by the database, NULL as empty text).
struct QueryValue {
  enum class Type : uint8_t { kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kNull;
  std::string text;
};

// Receives a query's result sets as they are produced.
class QueryResultSink {
 public:
  virtual ~QueryResultSink() = default;
  // Called once per statement that returns columns, before its rows.
  virtual Status Columns(const std::vector<std::string>& names) = 0;
  virtual Status Row(std::span<const QueryValue> values) = 0;
};

// A whole result set, for callers that want it in memory.
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<QueryValue>> rows;
};

// Thread-compatible: one thread at a time; separate Warehouse objects (one
// per thread or process) may work on the same database.
class Warehouse {
 public:
  virtual ~Warehouse() = default;

  // Starts replacing date `dt` ("YYYY-MM-DD"); kInvalidArgument for a bad
  // date; kUnavailable when another writer holds the database.
  virtual Result<std::unique_ptr<DateReplacement>> BeginReplace(std::string_view dt) = 0;
  // Committed rows `first`..`first + count - 1` of date `dt` in its stable
  // order: the order each unique_id was first added by the replacement that
  // wrote the date (so a re-run fed in the same order scans the same way).
  // The ranges [0, c), [c, 2c), ... return every row exactly once; a range
  // may return fewer than `count` rows if rows were deleted by hand. Reads
  // only; never takes the write lock.
  virtual Status ScanDate(std::string_view dt, int64_t first, int64_t count,
                          const std::function<Status(const WarehouseRow&)>& fn) = 0;
  virtual Result<DateCounts> CountDate(std::string_view dt) = 0;
  // Another connection to the same warehouse for reading, to be used by
  // another thread (parallel scans).
  virtual Result<std::unique_ptr<Warehouse>> OpenReader() = 0;
  // Runs one or more SQL statements, streaming every result set to `sink`.
  // The database's own error message is returned as it is.
  virtual Status Query(std::string_view sql, QueryResultSink* sink) = 0;
  // Where this warehouse lives, for messages ("sqlite:/data/warehouse.db").
  virtual std::string Describe() const = 0;

  // Query, keeping the last result set in memory (small results only).
  Result<QueryResult> QueryAll(std::string_view sql) {
    struct Keep final : QueryResultSink {
      QueryResult result;
      Status Columns(const std::vector<std::string>& names) override {
        result = QueryResult{names, {}};
        return Status::Ok();
      }
      Status Row(std::span<const QueryValue> values) override {
        result.rows.emplace_back(values.begin(), values.end());
        return Status::Ok();
      }
    } keep;
    PINPIPE_RETURN_IF_ERROR(Query(sql, &keep));
    return std::move(keep.result);
  }

  // BeginReplace + AddRows + AddRejects + Commit, for small loads.
  Status ReplaceDate(std::string_view dt, std::span<const WarehouseRow> rows,
                     std::span<const WarehouseReject> rejects) {
    PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<DateReplacement> replacement, BeginReplace(dt));
    PINPIPE_RETURN_IF_ERROR(replacement->AddRows(rows));
    PINPIPE_RETURN_IF_ERROR(replacement->AddRejects(rejects));
    return replacement->Commit();
  }
};

struct WarehouseOptions {
  // Open for reading only (`pinpipe query` without --allow-write): writes fail.
  bool read_only = false;
  // SQLite: wait this long for another writer's lock.
  int busy_timeout_ms = 10000;
  // SQLite: page cache of the writing connection, MiB. Rows go in at the
  // table's end and at a few places of each index, so a small cache does:
  // a 1M-row day loads as fast with 32 as with 128 (and 512 is slower), and
  // peak RSS is ~110 MB lower.
  int cache_mib = 32;
  // SQLite: page size of a database this open creates. 16 KiB measured
  // best for a day's replace (1M rows: insert ~15% and delete ~2x cheaper
  // than 4 KiB; 64 KiB inserts no faster and deletes 2x slower).
  int sqlite_page_size = 16384;
};

// Opens the warehouse a URL names:
//   sqlite:<path>               SQLite file (schema created on first use)
//   clickhouse://host:8123/db   not built yet: kInvalidArgument
// kNotFound when a read-only open finds no database at the path.
Result<std::unique_ptr<Warehouse>> OpenWarehouse(const std::string& url, const WarehouseOptions& options = {});

}  // namespace pinpipe::sinks
