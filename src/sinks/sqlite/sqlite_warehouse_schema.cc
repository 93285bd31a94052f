// Versioned DDL for the warehouse tables. A new migration is appended to
// kWarehouseMigrations; an applied one is never edited. The migrations table has the
// same shape the live sink uses, so both can share one database file.
#include <iterator>

#include "sinks/sqlite/schema_migrations.h"
#include "sinks/sqlite/sqlite_warehouse.h"

namespace pinpipe::sinks::sqlite {
namespace {

// ingested_at: RFC 3339 UTC with microseconds (fixed width, so text order is
// time order); tag_list: JSON array text; is_video/downloaded: 0/1/NULL.
// pins_dates: one row per loaded date (counts, when, and the rowid range
// its rows occupy, so a scan of part of a date is a rowid range lookup).
// Version 2 drops version 1's primary key (dt, unique_id): its index took
// half of a day's load (1M rows: 3.4 s of 6.9 s in SQLite, and 4.4 s of a
// re-run's delete). A date holds each unique_id once because its only
// writer, the date replacement, keeps a map of the ids it wrote; `batch`
// checks the row count against its own count of distinct ids.
constexpr SchemaMigration kWarehouseMigrations[] = {
    {1, "warehouse tables: pins, pins_rejected, pins_dates", R"sql(
CREATE TABLE IF NOT EXISTS pins (
  unique_id      TEXT NOT NULL,
  ind            INTEGER,
  title          TEXT,
  description    TEXT,
  poster_name    TEXT,
  follower_count INTEGER,
  tag_list       TEXT NOT NULL DEFAULT '[]',
  is_video       INTEGER,
  media_type     TEXT,
  image_src      TEXT,
  downloaded     INTEGER,
  save_location  TEXT,
  category       TEXT,
  ingested_at    TEXT NOT NULL,
  dt             TEXT NOT NULL,
  bus_partition  INTEGER NOT NULL,
  bus_offset     INTEGER NOT NULL,
  PRIMARY KEY (dt, unique_id)
);
CREATE INDEX IF NOT EXISTS pins_category ON pins (category);
CREATE TABLE IF NOT EXISTS pins_rejected (
  dt             TEXT NOT NULL,
  reason         TEXT NOT NULL,
  field          TEXT,
  detail         TEXT,
  raw            TEXT NOT NULL,
  bus_partition  INTEGER NOT NULL,
  bus_offset     INTEGER NOT NULL,
  ingested_at    TEXT
);
CREATE INDEX IF NOT EXISTS pins_rejected_dt ON pins_rejected (dt);
CREATE TABLE IF NOT EXISTS pins_dates (
  dt             TEXT PRIMARY KEY NOT NULL,
  rows           INTEGER NOT NULL,
  rejects        INTEGER NOT NULL,
  first_rowid    INTEGER,
  last_rowid     INTEGER,
  loaded_at      TEXT NOT NULL
);
)sql"},
    {2, "pins: no primary key; indexes on dt and category", R"sql(
CREATE TABLE pins_v2 (
  unique_id      TEXT NOT NULL,
  ind            INTEGER,
  title          TEXT,
  description    TEXT,
  poster_name    TEXT,
  follower_count INTEGER,
  tag_list       TEXT NOT NULL DEFAULT '[]',
  is_video       INTEGER,
  media_type     TEXT,
  image_src      TEXT,
  downloaded     INTEGER,
  save_location  TEXT,
  category       TEXT,
  ingested_at    TEXT NOT NULL,
  dt             TEXT NOT NULL,
  bus_partition  INTEGER NOT NULL,
  bus_offset     INTEGER NOT NULL
);
INSERT INTO pins_v2 (rowid, unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video,
                     media_type, image_src, downloaded, save_location, category, ingested_at, dt, bus_partition,
                     bus_offset)
  SELECT rowid, unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, media_type,
         image_src, downloaded, save_location, category, ingested_at, dt, bus_partition, bus_offset
  FROM pins ORDER BY rowid;
DROP TABLE pins;
ALTER TABLE pins_v2 RENAME TO pins;
CREATE INDEX pins_dt ON pins (dt);
CREATE INDEX pins_category ON pins (category);
)sql"},
};

Status RefuseForeignRejectsTable(SqliteDb* db) {
  // A pins_rejected made by the live sink (same file) lacks dt: say so
  // instead of failing later with "no such column: dt".
  PINPIPE_ASSIGN_OR_RETURN(
      Statement columns,
      db->Prepare("SELECT count(*), count(*) FILTER (WHERE name = 'dt') FROM pragma_table_info('pins_rejected')"));
  PINPIPE_ASSIGN_OR_RETURN(bool row, columns.Step());
  if (row && columns.ColumnInt(0) > 0 && columns.ColumnInt(1) == 0) {
    return Status::InvalidArgument(db->path() +
                                   " holds another pins_rejected table (the stream's live sink?); "
                                   "use separate files for --warehouse and --sink");
  }
  return Status::Ok();
}

}  // namespace

int WarehouseSchemaVersion() { return static_cast<int>(std::size(kWarehouseMigrations)); }

Status MigrateWarehouse(SqliteDb* db) {
  PINPIPE_RETURN_IF_ERROR(db->Begin());
  Status st = RefuseForeignRejectsTable(db);
  if (st.ok()) st = ApplySchemaMigrations(db, "warehouse", kWarehouseMigrations);
  if (st.ok()) st = db->Commit();
  if (!st.ok()) (void)db->Rollback();
  return st;
}

}  // namespace pinpipe::sinks::sqlite
