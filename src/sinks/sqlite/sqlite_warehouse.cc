// SqliteWarehouse: open + pragmas, the per-date replacement transaction, and
// ad-hoc queries.
#include "sinks/sqlite/sqlite_warehouse.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include <absl/container/flat_hash_map.h>

#include "core/log.h"
#include "pin/packed_uuid.h"
#include "sinks/sqlite/pending_rows_table.h"

namespace pinpipe::sinks::sqlite {
namespace {

constexpr char kColumns[] =
    "unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, media_type, "
    "image_src, downloaded, save_location, category, ingested_at, dt, bus_partition, bus_offset";

// Unique_ids new to the date, many rows per statement, with rowids the
// replacement assigns (so it knows each row's rowid without asking).
constexpr char kInsertPending[] =
    "INSERT INTO pins (unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, "
    "media_type, image_src, downloaded, save_location, category, ingested_at, dt, bus_partition, bus_offset, "
    "rowid) SELECT unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, "
    "media_type, image_src, downloaded, save_location, category, ingested_at, dt, bus_partition, bus_offset, "
    "row_id FROM pinpipe_pending_rows";

// Another version of a unique_id the date holds at rowid row_id (one row
// shown in pinpipe_pending_rows): it replaces the stored one only if newer,
// greater (ingested_at, partition, offset) as in the stream path. The row
// keeps its rowid (its place in the date).
constexpr char kUpdateIfNewer[] =
    "UPDATE pins SET ind = p.ind, title = p.title, description = p.description, poster_name = p.poster_name, "
    "follower_count = p.follower_count, tag_list = p.tag_list, is_video = p.is_video, media_type = p.media_type, "
    "image_src = p.image_src, downloaded = p.downloaded, save_location = p.save_location, category = p.category, "
    "ingested_at = p.ingested_at, bus_partition = p.bus_partition, bus_offset = p.bus_offset "
    "FROM pinpipe_pending_rows AS p "
    "WHERE pins.rowid = p.row_id AND pins.unique_id = p.unique_id AND pins.dt = p.dt "
    "AND (p.ingested_at, p.bus_partition, p.bus_offset) > (pins.ingested_at, pins.bus_partition, pins.bus_offset)";

// A re-run writes the new rows over the date's old ones, rowid for rowid
// (place p over the old range's p-th row), instead of deleting each old row
// and inserting a new one: when the category is unchanged (the usual case,
// the same raw data cleaned again) neither index is touched; a 1M-row
// re-run went from ~4.6 s to ~3.3 s. Setting category at all makes SQLite
// rewrite its index entry even for the same value, so a row whose category
// changes takes the second statement of the pair. One row per run, bound
// with BindPendingRow (?1..?18 in pinpipe_pending_rows' column order).
std::string OverwriteSql(bool category_changes) {
  return std::string(
             "UPDATE pins SET unique_id = ?1, ind = ?2, title = ?3, description = ?4, poster_name = ?5, "
             "follower_count = ?6, tag_list = ?7, is_video = ?8, media_type = ?9, image_src = ?10, "
             "downloaded = ?11, save_location = ?12, ingested_at = ?14, bus_partition = ?16, bus_offset = ?17") +
         (category_changes ? ", category = ?13" : "") + " WHERE rowid = ?18 AND dt = ?15 AND category IS " +
         (category_changes ? "NOT ?13" : "?13");
}

constexpr char kInsertReject[] =
    "INSERT INTO pins_rejected (dt, reason, field, detail, raw, bus_partition, bus_offset, ingested_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// The Read* helpers assign in place: ScanDate reuses one row object, so the
// strings keep their buffers from row to row.
void ReadText(const Statement& st, int i, std::optional<std::string>* out) {
  std::optional<std::string_view> text = st.ColumnTextOrNull(i);
  if (!text) {
    out->reset();
  } else if (out->has_value()) {
    (*out)->assign(*text);
  } else {
    out->emplace(*text);
  }
}
std::optional<int64_t> OptInt(const Statement& st, int i) {
  if (st.IsNull(i)) return std::nullopt;
  return st.ColumnInt(i);
}
std::optional<bool> OptBool(const Statement& st, int i) {
  if (st.IsNull(i)) return std::nullopt;
  return st.ColumnInt(i) != 0;
}

// Reads a row selected with kColumns; forms.tag_list_json too.
Status ReadRow(const Statement& st, WarehouseRow* row) {
  pin::CleanRecord& r = row->record;
  r.unique_id.assign(st.ColumnText(0));
  r.ind = OptInt(st, 1);
  ReadText(st, 2, &r.title);
  ReadText(st, 3, &r.description);
  ReadText(st, 4, &r.poster_name);
  r.follower_count = OptInt(st, 5);
  // The stored text is kept in forms when it is what AppendTagListJson
  // writes: the clean zone then copies it instead of writing it again.
  std::string_view tags = st.ColumnText(6);
  bool as_written = false;
  PINPIPE_RETURN_IF_ERROR(ReadTagListJson(tags, &r.tag_list, &as_written));
  row->forms.tag_list_json.assign(as_written ? tags : std::string_view());
  r.is_video = OptBool(st, 7);
  ReadText(st, 8, &r.media_type);
  ReadText(st, 9, &r.image_src);
  r.downloaded = OptBool(st, 10);
  ReadText(st, 11, &r.save_location);
  ReadText(st, 12, &r.category);
  PINPIPE_ASSIGN_OR_RETURN(r.ingested_at, ParseRfc3339Micros(st.ColumnText(13)));
  row->partition = static_cast<int32_t>(st.ColumnInt(15));
  row->offset = st.ColumnInt(16);
  return Status::Ok();
}

Result<int64_t> CountWhereDate(SqliteDb* db, const char* sql, std::string_view dt) {
  PINPIPE_ASSIGN_OR_RETURN(Statement st, db->Prepare(sql));
  PINPIPE_RETURN_IF_ERROR(st.BindText(1, dt));
  PINPIPE_ASSIGN_OR_RETURN(bool has_row, st.Step());
  return has_row ? st.ColumnInt(0) : 0;
}

Result<DateCounts> CountDateIn(SqliteDb* db, std::string_view dt) {
  DateCounts counts;
  PINPIPE_ASSIGN_OR_RETURN(counts.rows, CountWhereDate(db, "SELECT count(*) FROM pins WHERE dt = ?1", dt));
  PINPIPE_ASSIGN_OR_RETURN(counts.rejects, CountWhereDate(db, "SELECT count(*) FROM pins_rejected WHERE dt = ?1", dt));
  return counts;
}

struct RowidRange {
  int64_t first = 0, last = 0;
};

// The rowid range pins_dates recorded for the date's rows; none when the
// date was never loaded or its rows did not fill one range.
Result<std::optional<RowidRange>> RecordedRange(SqliteDb* db, std::string_view dt) {
  PINPIPE_ASSIGN_OR_RETURN(Statement bounds,
                           db->Prepare("SELECT first_rowid, last_rowid FROM pins_dates WHERE dt = ?1"));
  PINPIPE_RETURN_IF_ERROR(bounds.BindText(1, dt));
  PINPIPE_ASSIGN_OR_RETURN(bool has_row, bounds.Step());
  if (!has_row || bounds.IsNull(0) || bounds.IsNull(1)) return std::optional<RowidRange>();
  return std::optional<RowidRange>(RowidRange{bounds.ColumnInt(0), bounds.ColumnInt(1)});
}

// Rows first..first+count-1 of the date in rowid order (the order each
// unique_id was first added). A replacement gives its rows consecutive
// rowids and records them in pins_dates, so the range is a rowid range.
Status ScanDateIn(SqliteDb* db, std::string_view dt, int64_t first, int64_t count,
                  const std::function<Status(const WarehouseRow&)>& fn) {
  if (first < 0 || count <= 0) return Status::Ok();
  // The rowid range recorded when the date was loaded: a part of the date
  // is then a rowid range lookup. Rows deleted by hand leave holes (a
  // range may return fewer rows); without a record, LIMIT/OFFSET.
  PINPIPE_ASSIGN_OR_RETURN(std::optional<RowidRange> range, RecordedRange(db, dt));
  bool contiguous = range.has_value();
  int64_t lo = contiguous ? range->first : 0;
  int64_t hi = contiguous ? range->last : -1;
  std::string sql = std::string("SELECT ") + kColumns + " FROM pins WHERE " +
                    (contiguous ? "rowid >= ?2 AND rowid < ?3 AND +dt = ?1 ORDER BY rowid"
                                : "dt = ?1 ORDER BY rowid LIMIT ?3 OFFSET ?2");
  PINPIPE_ASSIGN_OR_RETURN(Statement scan, db->Prepare(sql));
  PINPIPE_RETURN_IF_ERROR(scan.BindText(1, dt));
  if (contiguous && first > hi - lo) return Status::Ok();
  int64_t start = contiguous ? lo + first : first;
  int64_t end = count > INT64_MAX - start ? INT64_MAX : start + count;  // no overflow for "all rows"
  PINPIPE_RETURN_IF_ERROR(scan.BindInt(2, start));
  PINPIPE_RETURN_IF_ERROR(scan.BindInt(3, contiguous ? end : count));
  WarehouseRow row;
  for (;;) {
    PINPIPE_ASSIGN_OR_RETURN(bool more, scan.Step());
    if (!more) return Status::Ok();
    PINPIPE_RETURN_IF_ERROR(ReadRow(scan, &row));
    PINPIPE_RETURN_IF_ERROR(fn(row));
  }
}

// Rows an AddRows call writes over before its share of changed categories
// decides anything (StopWritingOver).
constexpr int64_t kWriteOverSample = 256;

class SqliteDateReplacement final : public DateReplacement {
 public:
  SqliteDateReplacement(SqliteDb* db, std::string dt) : db_(db), dt_(dt), pending_rows_(std::move(dt)) {}
  ~SqliteDateReplacement() override {
    if (!done_) (void)db_->Rollback();
    insert_ = Statement();  // the statements reading the table go first
    update_ = Statement();
    overwrite_same_category_ = Statement();
    overwrite_other_category_ = Statement();
    sqlite3_create_module_v2(db_->raw(), "pinpipe_pending_rows", nullptr, nullptr, nullptr);  // unregisters
  }

  // Opens the transaction and picks how the date's old rows go. When the
  // range the last load recorded holds the date's rows and nothing else,
  // the new rows are written over them in place (place p at the range's
  // p-th rowid), the rest after every row of the table; what is left of
  // the old range goes before the count. Otherwise (no range recorded, or
  // rows deleted or written by hand inside it) new rows take rowids above
  // every row in the table and the old ones are deleted as they go in
  // (DeleteOldRows), not all first: deleting is single-threaded SQLite
  // work, and done first it ran while the readers waited with a core idle.
  Status Start() {
    PINPIPE_RETURN_IF_ERROR(db_->Begin());
    PINPIPE_ASSIGN_OR_RETURN(Statement del_rejects, db_->Prepare("DELETE FROM pins_rejected WHERE dt = ?1"));
    PINPIPE_RETURN_IF_ERROR(del_rejects.BindText(1, dt_));
    PINPIPE_RETURN_IF_ERROR(del_rejects.Run());
    // The rowid range the last load recorded holds the date's rows in
    // table order (sequential pages).
    PINPIPE_ASSIGN_OR_RETURN(std::optional<RowidRange> range, RecordedRange(db_, dt_));
    if (range) {
      const int64_t first = range->first, last = range->last;
      // The date's index counts the range's rows (rowid is its last column).
      PINPIPE_ASSIGN_OR_RETURN(Statement held,
                               db_->Prepare("SELECT count(*) FROM pins WHERE dt = ?1 AND rowid BETWEEN ?2 AND ?3"));
      PINPIPE_RETURN_IF_ERROR(held.BindText(1, dt_));
      PINPIPE_RETURN_IF_ERROR(held.BindInt(2, first));
      PINPIPE_RETURN_IF_ERROR(held.BindInt(3, last));
      PINPIPE_ASSIGN_OR_RETURN(bool counted, held.Step());
      if (counted && last >= first && held.ColumnInt(0) == last - first + 1) {
        overwrite_first_ = first;
        overwrite_count_ = overwrite_below_ = last - first + 1;
      } else {
        old_next_ = first;
        old_last_ = last;
      }
    }
    PINPIPE_ASSIGN_OR_RETURN(Statement top, db_->Prepare("SELECT coalesce(max(rowid), 0) FROM pins"));
    PINPIPE_ASSIGN_OR_RETURN(bool has_row, top.Step());
    start_rowid_ = (has_row ? top.ColumnInt(0) : 0) + 1;
    // "+dt" keeps the planner on the rowid range.
    PINPIPE_ASSIGN_OR_RETURN(delete_old_,
                             db_->Prepare("DELETE FROM pins WHERE rowid BETWEEN ?2 AND ?3 AND +dt = ?1"));
    PINPIPE_RETURN_IF_ERROR(RegisterPendingRowsTable(db_->raw(), &pending_rows_));
    PINPIPE_ASSIGN_OR_RETURN(insert_, db_->Prepare(kInsertPending));
    PINPIPE_ASSIGN_OR_RETURN(update_, db_->Prepare(kUpdateIfNewer));
    PINPIPE_ASSIGN_OR_RETURN(reject_, db_->Prepare(kInsertReject));
    if (overwrite_count_ > 0) {
      PINPIPE_ASSIGN_OR_RETURN(overwrite_same_category_, db_->Prepare(OverwriteSql(/*category_changes=*/false)));
      PINPIPE_ASSIGN_OR_RETURN(overwrite_other_category_, db_->Prepare(OverwriteSql(/*category_changes=*/true)));
    }
    return Status::Ok();
  }

  // A new id at a place of the old range is written over the old row there
  // at once (WriteOver); other new ids are inserted together, by one
  // statement reading them from pinpipe_pending_rows, before this returns
  // (SQLite reads them in place) or before an update of one of them.
  using DateReplacement::AddRows;
  Status AddRows(std::span<const WarehouseRowView> rows, std::vector<int64_t>* places) override {
    PINPIPE_CHECK(!done_);
    counted_.reset();
    pending_.clear();
    if (places != nullptr) places->clear();
    const int64_t first_new = next_place_;
    int64_t written_over = 0, recategorized = 0;
    for (const WarehouseRowView& row : rows) {
      auto [rowid, is_new] = RowidSlot(row);
      const int64_t place = is_new ? next_place_++ : PlaceOf(*rowid);
      if (is_new) *rowid = RowidOf(place);
      if (places != nullptr) places->push_back(place);
      if (is_new) {
        first_rowid_ = std::min(first_rowid_.value_or(*rowid), *rowid);
        last_rowid_ = std::max(last_rowid_.value_or(*rowid), *rowid);
        if (place < overwrite_below_) {
          PINPIPE_ASSIGN_OR_RETURN(bool category_changed, WriteOver(PendingRow{&row, *rowid}));
          ++written_over;
          recategorized += category_changed ? 1 : 0;
        } else {
          pending_.push_back({&row, *rowid});
        }
        continue;
      }
      if (!pending_.empty() && *rowid >= pending_.front().rowid) PINPIPE_RETURN_IF_ERROR(InsertPending());
      PendingRow version{&row, *rowid};
      PINPIPE_RETURN_IF_ERROR(RunShowing(update_, std::span(&version, 1)));
    }
    PINPIPE_RETURN_IF_ERROR(InsertPending());
    if (written_over >= kWriteOverSample && 2 * recategorized > written_over) StopWritingOver();
    // As many old rows out as new rows came in (none when written over).
    return DeleteOldRows(next_place_ - first_new);
  }

  Status AddRejects(std::span<const WarehouseReject> rejects) override {
    PINPIPE_CHECK(!done_);
    counted_.reset();
    for (const WarehouseReject& r : rejects) {
      PINPIPE_RETURN_IF_ERROR(reject_.BindText(1, dt_));
      PINPIPE_RETURN_IF_ERROR(reject_.BindText(2, r.reason));
      PINPIPE_RETURN_IF_ERROR(r.field.empty() ? reject_.BindNull(3) : reject_.BindText(3, r.field));
      PINPIPE_RETURN_IF_ERROR(reject_.BindText(4, r.detail));
      PINPIPE_RETURN_IF_ERROR(reject_.BindText(5, r.raw));
      PINPIPE_RETURN_IF_ERROR(reject_.BindInt(6, r.partition));
      PINPIPE_RETURN_IF_ERROR(reject_.BindInt(7, r.offset));
      PINPIPE_RETURN_IF_ERROR(reject_.BindText(8, FormatRfc3339Micros(r.ingested_at)));
      PINPIPE_RETURN_IF_ERROR(reject_.Run());
    }
    return Status::Ok();
  }

  Result<DateCounts> Counts() override {
    PINPIPE_RETURN_IF_ERROR(DeleteTheOtherOldRows());
    PINPIPE_ASSIGN_OR_RETURN(DateCounts counts, CountDateIn(db_, dt_));
    counted_ = counts;  // what Commit records, unless more is added first
    return counts;
  }

  Status Commit() override {
    PINPIPE_CHECK(!done_);
    PINPIPE_RETURN_IF_ERROR(DeleteTheOtherOldRows());
    insert_ = Statement();
    update_ = Statement();
    reject_ = Statement();
    delete_old_ = Statement();
    overwrite_same_category_ = Statement();
    overwrite_other_category_ = Statement();
    PINPIPE_RETURN_IF_ERROR(RecordDate());
    PINPIPE_RETURN_IF_ERROR(db_->Commit());
    done_ = true;
    return Status::Ok();
  }

 private:
  // Deletes up to `count` more of the date's old rows in the recorded
  // range, in rowid order.
  Status DeleteOldRows(int64_t count) {
    if (count <= 0 || old_next_ > old_last_) return Status::Ok();
    int64_t to = count > old_last_ - old_next_ ? old_last_ : old_next_ + count - 1;
    PINPIPE_RETURN_IF_ERROR(delete_old_.BindText(1, dt_));
    PINPIPE_RETURN_IF_ERROR(delete_old_.BindInt(2, old_next_));
    PINPIPE_RETURN_IF_ERROR(delete_old_.BindInt(3, to));
    PINPIPE_RETURN_IF_ERROR(delete_old_.Run());
    old_next_ = to + 1;
    return Status::Ok();
  }

  // The rest of the recorded range (when overwriting: the old rows no new
  // row was written over; later new rows are inserted at their rowids),
  // then whatever else the date held before this replacement (rows written
  // by hand): below start_rowid_, outside the range written over.
  Status DeleteTheOtherOldRows() {
    if (old_rows_deleted_) return Status::Ok();
    LeaveTheRangesRestToDelete();
    overwrite_below_ = std::min(next_place_, overwrite_count_);
    PINPIPE_RETURN_IF_ERROR(DeleteOldRows(INT64_MAX));
    PINPIPE_ASSIGN_OR_RETURN(
        Statement rest, db_->Prepare("DELETE FROM pins WHERE dt = ?1 AND rowid < ?2 AND rowid NOT BETWEEN ?3 AND ?4"));
    PINPIPE_RETURN_IF_ERROR(rest.BindText(1, dt_));
    PINPIPE_RETURN_IF_ERROR(rest.BindInt(2, start_rowid_));
    PINPIPE_RETURN_IF_ERROR(rest.BindInt(3, overwrite_first_));
    PINPIPE_RETURN_IF_ERROR(rest.BindInt(4, overwrite_first_ + overwrite_count_ - 1));
    PINPIPE_RETURN_IF_ERROR(rest.Run());
    old_rows_deleted_ = true;
    return Status::Ok();
  }

  // Upserts the date's row in pins_dates (counts, rowid range, load time).
  // The counts and the rowid range come from what this replacement did
  // (every old row of the date is gone by now, so its rows are exactly the
  // ones it inserted), sparing two scans of the date's index.
  Status RecordDate() {
    DateCounts counts;
    if (counted_) {
      counts = *counted_;
    } else {
      PINPIPE_ASSIGN_OR_RETURN(counts, CountDateIn(db_, dt_));
    }
    PINPIPE_ASSIGN_OR_RETURN(Statement record,
                             db_->Prepare("INSERT OR REPLACE INTO pins_dates (dt, rows, rejects, first_rowid, "
                                          "last_rowid, loaded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    PINPIPE_RETURN_IF_ERROR(record.BindText(1, dt_));
    PINPIPE_RETURN_IF_ERROR(record.BindInt(2, counts.rows));
    PINPIPE_RETURN_IF_ERROR(record.BindInt(3, counts.rejects));
    // A range only when the rows fill it: not when they went on past the
    // range written over into rowids after other dates' rows.
    bool contiguous = first_rowid_ && *last_rowid_ - *first_rowid_ + 1 == next_place_;
    PINPIPE_RETURN_IF_ERROR(contiguous ? record.BindInt(4, *first_rowid_) : record.BindNull(4));
    PINPIPE_RETURN_IF_ERROR(contiguous ? record.BindInt(5, *last_rowid_) : record.BindNull(5));
    PINPIPE_RETURN_IF_ERROR(record.BindText(6, FormatRfc3339Micros(RealClock()->NowMicros())));
    return record.Run();
  }

  // Where the date's row for the row's unique_id is kept, and whether the
  // date does not hold that id yet (the slot is new, to be filled).
  std::pair<int64_t*, bool> RowidSlot(const WarehouseRowView& row) {
    pin::PackedUuid packed;
    if (row.packed_id || pin::PackUuid(row.unique_id, &packed)) {
      auto [it, is_new] = uuid_rowids_.try_emplace(row.packed_id.value_or(packed), 0);
      return {&it->second, is_new};
    }
    // Not a clean id: hand-made rows only.
    auto [it, is_new] = other_rowids_.try_emplace(std::string(row.unique_id), 0);
    return {&it->second, is_new};
  }

  SqliteDb* db_;  // borrowed from the warehouse
  std::string dt_;
  // unique_id -> rowid of every row this replacement wrote: the date's
  // uniqueness, kept here rather than by a unique index (see the schema).
  // Flat (no node per id): a million-id day spent ~8% of the loader's time
  // in std::unordered_map's allocations, rehashes and frees.
  absl::flat_hash_map<pin::PackedUuid, int64_t, pin::PackedUuidHash> uuid_rowids_;
  std::unordered_map<std::string, int64_t> other_rowids_;
  std::optional<int64_t> first_rowid_, last_rowid_;  // of the rows inserted
  std::optional<DateCounts> counted_;                // by Counts(), nothing added since
  // Runs `statement` with pinpipe_pending_rows showing `rows`.
  Status RunShowing(Statement& statement, std::span<const PendingRow> rows) {
    pending_rows_.Show(rows);
    Status st = statement.Run();
    pending_rows_.Show({});
    return st;
  }

  // The old range's rows no place has reached yet become old rows for
  // DeleteOldRows.
  void LeaveTheRangesRestToDelete() {
    if (next_place_ >= overwrite_count_) return;
    old_next_ = overwrite_first_ + next_place_;
    old_last_ = overwrite_first_ + overwrite_count_ - 1;
  }

  // Place p of the date: over the old range's p-th row while the range
  // lasts, then after every row the table held.
  int64_t RowidOf(int64_t place) const {
    return place < overwrite_count_ ? overwrite_first_ + place : start_rowid_ + (place - overwrite_count_);
  }
  int64_t PlaceOf(int64_t rowid) const {
    return rowid < start_rowid_ ? rowid - overwrite_first_ : overwrite_count_ + (rowid - start_rowid_);
  }

  // Writes a row over the date's old row at its rowid (Start checked that
  // every rowid of the range holds one); whether its category changed.
  Result<bool> WriteOver(const PendingRow& pending) {
    for (Statement* statement : {&overwrite_same_category_, &overwrite_other_category_}) {
      PINPIPE_RETURN_IF_ERROR(BindPendingRow(*statement, pending, dt_));
      PINPIPE_RETURN_IF_ERROR(statement->Run());
      if (sqlite3_changes64(db_->raw()) == 1) return statement == &overwrite_other_category_;
    }
    return Status::Internal("warehouse: no row of " + dt_ + " at rowid " + std::to_string(pending.rowid) +
                            " to write over");
  }

  // When most rows written over change category, the new rows are not the
  // old ones at the same places (records came in that shifted the order):
  // each then moves an index entry from the middle of one category's run
  // to the middle of another's, slower than deleting old rows in rowid
  // order and appending new ones (1M rows: 6.1 s vs 5.0 s). So the rest of
  // the date goes that way: after the table, the old range's rest deleted
  // as new rows go in.
  void StopWritingOver() {
    if (old_rows_deleted_ || next_place_ >= overwrite_count_) return;
    LeaveTheRangesRestToDelete();
    overwrite_count_ = overwrite_below_ = next_place_;
    core::Log("warehouse").info("event=stopped_writing_over dt={} rows_written_over={}", dt_, next_place_);
  }

  // Inserts the pending rows with one statement.
  Status InsertPending() {
    if (pending_.empty()) return Status::Ok();
    Status st = RunShowing(insert_, pending_);
    pending_.clear();
    return st;
  }

  int64_t next_place_ = 0;
  int64_t start_rowid_ = 1;  // above every row the table held
  // The old range written over: rowids overwrite_first_ ..
  // overwrite_first_ + overwrite_count_ - 1 (count 0: none). Places below
  // overwrite_below_ are written over an old row; the rest of the range's
  // places are inserted (their old rows went before a count).
  int64_t overwrite_first_ = 0;
  int64_t overwrite_count_ = 0;
  int64_t overwrite_below_ = 0;
  std::vector<PendingRow> pending_;  // to insert
  PendingRows pending_rows_;  // what pinpipe_pending_rows shows
  Statement insert_;
  Statement update_;
  Statement reject_;
  Statement delete_old_;
  Statement overwrite_same_category_;
  Statement overwrite_other_category_;
  // The date's old rows in the recorded range not deleted yet: old_next_..old_last_.
  int64_t old_next_ = 1;
  int64_t old_last_ = 0;
  bool old_rows_deleted_ = false;  // all of them, and any outside the range
  bool done_ = false;
};

// Streams the result sets of one prepared statement.
Status RunQueryStatement(sqlite3* db, sqlite3_stmt* stmt, QueryResultSink* sink) {
  int columns = sqlite3_column_count(stmt);
  if (columns > 0) {
    std::vector<std::string> names;
    for (int i = 0; i < columns; ++i) names.emplace_back(sqlite3_column_name(stmt, i));
    PINPIPE_RETURN_IF_ERROR(sink->Columns(names));
  }
  std::vector<QueryValue> values(columns);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return SqliteStatus(db, rc, "");
    for (int i = 0; i < columns; ++i) {
      QueryValue& v = values[i];
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL: v.type = QueryValue::Type::kNull; break;
        case SQLITE_INTEGER: v.type = QueryValue::Type::kInteger; break;
        case SQLITE_FLOAT: v.type = QueryValue::Type::kReal; break;
        case SQLITE_BLOB: v.type = QueryValue::Type::kBlob; break;
        default: v.type = QueryValue::Type::kText; break;
      }
      if (v.type == QueryValue::Type::kBlob) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, i));
        int n = sqlite3_column_bytes(stmt, i);
        v.text = "X'";
        for (int k = 0; k < n; ++k) {
          v.text.push_back(kHex[p[k] >> 4]);
          v.text.push_back(kHex[p[k] & 15]);
        }
        v.text.push_back('\'');
        continue;
      }
      const unsigned char* text = sqlite3_column_text(stmt, i);
      v.text.assign(text != nullptr ? reinterpret_cast<const char*>(text) : "",
                    text != nullptr ? static_cast<size_t>(sqlite3_column_bytes(stmt, i)) : 0);
    }
    PINPIPE_RETURN_IF_ERROR(sink->Row(values));
  }
}

// Opens `path` for writing just long enough for SQLite to roll back the
// hot journal an interrupted write left (it does so on the first read).
Status RollBackInterruptedWrite(const std::string& path, const WarehouseOptions& options) {
  SqliteOpenOptions open;
  open.create = false;
  open.wal = false;
  open.busy_timeout_ms = options.busy_timeout_ms;
  auto writer = SqliteDb::Open(path, open);
  Status st = writer.ok() ? (*writer)->Exec("SELECT count(*) FROM sqlite_master") : writer.status();
  if (!st.ok()) {
    return st.WithContext("the warehouse " + path +
                          " holds an interrupted batch's journal, which only a writer can roll back");
  }
  core::Log("warehouse").info("event=interrupted_write_rolled_back path={}", core::LogValue(path));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteWarehouse>> SqliteWarehouse::Open(const std::string& path,
                                                               const WarehouseOptions& options) {
  SqliteOpenOptions open;
  open.read_only = options.read_only;
  open.create = !options.read_only;
  open.busy_timeout_ms = options.busy_timeout_ms;
  open.wal = false;  // a rollback journal; see the header
  open.page_size = options.sqlite_page_size;
  auto db = SqliteDb::Open(path, open);
  if (!db.ok()) {
    if (options.read_only && db.status().code() == StatusCode::kIOError) {
      return Status::NotFound("no warehouse at " + path + " (" + db.status().message() +
                              "); run `pinpipe batch --date YYYY-MM-DD` first");
    }
    return db.status();
  }
  if (options.read_only) {
    // A batch killed mid-replace leaves a hot rollback journal that only a
    // writer may roll back: until one did, every read-only query failed
    // with "attempt to write a readonly database".
    Status readable = (*db)->Exec("SELECT count(*) FROM sqlite_master");
    if (!readable.ok() && sqlite3_extended_errcode((*db)->raw()) == SQLITE_READONLY_ROLLBACK) {
      (*db).reset();
      PINPIPE_RETURN_IF_ERROR(RollBackInterruptedWrite(path, options));
      db = SqliteDb::Open(path, open);
      if (!db.ok()) return db.status();
    }
    PINPIPE_RETURN_IF_ERROR((*db)->Exec("PRAGMA query_only = ON"));
  } else {
    // Durable at COMMIT (journal and file fsynced). journal_mode = DELETE
    // also converts a warehouse an older build left in WAL mode. A large
    // page cache keeps the indexes' hot pages in memory during a replace.
    // secure_delete off: Debian builds SQLite to zero every deleted byte,
    // which made replacing a day's rows write each page twice; a replaced
    // day is loaded again at once, so nothing is kept from anyone.
    PINPIPE_RETURN_IF_ERROR(
        (*db)->Exec("PRAGMA journal_mode = DELETE").WithContext("open " + path + " (leaving WAL mode)"));
    PINPIPE_RETURN_IF_ERROR((*db)->Exec("PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = OFF; "
                                        "PRAGMA cache_size = -" +
                                        std::to_string(static_cast<int64_t>(options.cache_mib) * 1024)));
    PINPIPE_RETURN_IF_ERROR(MigrateWarehouse(db->get()));
  }
  return std::unique_ptr<SqliteWarehouse>(new SqliteWarehouse(std::move(db).value(), options));
}

Result<std::unique_ptr<DateReplacement>> SqliteWarehouse::BeginReplace(std::string_view dt) {
  auto day = ParseDate(dt);
  if (!day.ok() || FormatDate(*day) != dt) {
    return Status::InvalidArgument("bad date '" + std::string(dt) + "': want YYYY-MM-DD");
  }
  auto replacement = std::make_unique<SqliteDateReplacement>(db_.get(), std::string(dt));
  PINPIPE_RETURN_IF_ERROR(replacement->Start());
  return std::unique_ptr<DateReplacement>(std::move(replacement));
}

Status SqliteWarehouse::ScanDate(std::string_view dt, int64_t first, int64_t count,
                                 const std::function<Status(const WarehouseRow&)>& fn) {
  return ScanDateIn(db_.get(), dt, first, count, fn);
}

Result<std::unique_ptr<Warehouse>> SqliteWarehouse::OpenReader() {
  WarehouseOptions options = options_;
  options.read_only = true;
  PINPIPE_ASSIGN_OR_RETURN(auto reader, Open(db_->path(), options));
  return std::unique_ptr<Warehouse>(std::move(reader));
}

Result<DateCounts> SqliteWarehouse::CountDate(std::string_view dt) { return CountDateIn(db_.get(), dt); }

Status SqliteWarehouse::Query(std::string_view sql, QueryResultSink* sink) {
  sqlite3* db = db_->raw();
  const char* next = sql.data();
  const char* end = sql.data() + sql.size();
  while (next < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &stmt, &tail);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteStatus(db, rc, "");
    }
    next = tail;
    if (stmt == nullptr) continue;  // whitespace or a comment
    Status st = RunQueryStatement(db, stmt, sink);
    sqlite3_finalize(stmt);
    PINPIPE_RETURN_IF_ERROR(st);
  }
  return Status::Ok();
}

}  // namespace pinpipe::sinks::sqlite
