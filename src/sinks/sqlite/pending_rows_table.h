// The rows a date replacement writes next, as a read-only SQLite table for
// one connection: new rows go in with one `INSERT INTO pins SELECT ... FROM
// pinpipe_pending_rows` per batch, a newer version with one UPDATE ... FROM
// it. SQLite reads each value straight from the WarehouseRowView (no copy):
// binding them as parameters of a many-row INSERT ... VALUES cost a deep
// copy and an allocation per text value. Rows written over old ones are
// bound one at a time instead (BindPendingRow: an UPDATE ... FROM the table
// made SQLite copy every row into a temporary table first). The one
// mapping of a row to the table's columns serves both.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sinks/warehouse.h"

struct sqlite3;

namespace pinpipe::sinks::sqlite {

class Statement;

// One row to write and its rowid (given by the replacement, or the one the
// older version holds).
struct PendingRow {
  const WarehouseRowView* row;
  int64_t rowid;
};

// The rows the table shows. Columns, in order: unique_id, ind, title,
// description, poster_name, follower_count, tag_list, is_video, media_type,
// image_src, downloaded, save_location, category, ingested_at, dt,
// bus_partition, bus_offset, row_id (the rowid to give).
class PendingRows {
 public:
  explicit PendingRows(std::string dt) : dt_(std::move(dt)) {}
  // Shows `rows` until the next Show; they (and what they point to) must
  // outlive every statement that reads the table meanwhile.
  void Show(std::span<const PendingRow> rows) { rows_ = rows; }

  std::span<const PendingRow> rows() const { return rows_; }
  std::string_view dt() const { return dt_; }

 private:
  std::string dt_;
  std::span<const PendingRow> rows_;
};

// Binds `row` to parameters ?1..?18 of `statement`: the columns above in
// their order (?18: the rowid). Texts are not copied: the row must outlive
// the statement's run.
Status BindPendingRow(Statement& statement, const PendingRow& row, std::string_view dt);

// Registers table `pinpipe_pending_rows` on `db`, showing `rows` (which must
// outlive the connection's use of the table).
Status RegisterPendingRowsTable(sqlite3* db, PendingRows* rows);

}  // namespace pinpipe::sinks::sqlite
