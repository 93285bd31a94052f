// Versioned DDL for the live tables in SQLite (mirror of postgres/pg_schema.cc:
// same tables, columns and constraints; SQLite types). A new migration is
// appended to kLiveMigrations; an applied one is never edited.
#include "sinks/sqlite/schema_migrations.h"
#include "sinks/sqlite/sqlite_live_sink.h"

namespace pinpipe::sinks::sqlite {
namespace {

// tag_list: JSON array text; is_video/downloaded: 0/1; ingested_at: RFC 3339
// UTC with microseconds (fixed width, so text order is time order).
constexpr SchemaMigration kLiveMigrations[] = {
    {1, "live tables: pins_live, pins_rejected, pinpipe_offsets", R"sql(
CREATE TABLE IF NOT EXISTS pins_live (
  unique_id      TEXT PRIMARY KEY NOT NULL,
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
  bus_partition  INTEGER NOT NULL,
  bus_offset     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pins_rejected (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  reason         TEXT NOT NULL,
  field          TEXT,
  detail         TEXT NOT NULL,
  raw            TEXT NOT NULL,
  bus_partition  INTEGER NOT NULL,
  bus_offset     INTEGER NOT NULL,
  ingested_at    TEXT,
  UNIQUE (bus_partition, bus_offset)
);
CREATE TABLE IF NOT EXISTS pinpipe_offsets (
  topic          TEXT NOT NULL,
  bus_partition  INTEGER NOT NULL,
  next_offset    INTEGER NOT NULL,
  PRIMARY KEY (topic, bus_partition)
) WITHOUT ROWID;
)sql"},
};

}  // namespace

Status MigrateLiveSchema(SqliteDb* db) {
  PINPIPE_RETURN_IF_ERROR(db->Begin());
  Status st = ApplySchemaMigrations(db, "live", kLiveMigrations);
  if (!st.ok()) {
    (void)db->Rollback();
    return st.WithContext("migrating the live schema");
  }
  return db->Commit();
}

}  // namespace pinpipe::sinks::sqlite
