// Versioned DDL for the live tables in SQLite (mirror of postgres/pg_schema.cc:
// same tables, columns and constraints; SQLite types). A new migration is
// appended to kMigrations; an applied one is never edited.
#include <iterator>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "sinks/sqlite/sqlite_live_sink.h"

namespace pinpipe::sinks::sqlite {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// tag_list: JSON array text; is_video/downloaded: 0/1; ingested_at: RFC 3339
// UTC with microseconds (fixed width, so text order is time order).
constexpr Migration kMigrations[] = {
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

constexpr int kNewestVersion = std::size(kMigrations);

Status MigrateInTransaction(SqliteDb* db) {
  PINPIPE_RETURN_IF_ERROR(db->Exec(R"sql(
CREATE TABLE IF NOT EXISTS pinpipe_migrations (
  component   TEXT NOT NULL,
  version     INTEGER NOT NULL,
  description TEXT NOT NULL,
  applied_at  TEXT NOT NULL,
  PRIMARY KEY (component, version)
))sql"));
  PINPIPE_ASSIGN_OR_RETURN(
      Statement current,
      db->Prepare("SELECT coalesce(max(version), 0) FROM pinpipe_migrations WHERE component = 'live'"));
  PINPIPE_ASSIGN_OR_RETURN(bool has_row, current.Step());
  int64_t have = has_row ? current.ColumnInt(0) : 0;
  current.Reset();
  if (have > kNewestVersion) {
    return Status::InvalidArgument("the database's live schema is version " + std::to_string(have) +
                                   ", newer than this pinpipe knows (" + std::to_string(kNewestVersion) +
                                   "); upgrade pinpipe");
  }
  PINPIPE_ASSIGN_OR_RETURN(Statement record,
                           db->Prepare("INSERT INTO pinpipe_migrations (component, version, description, "
                                       "applied_at) VALUES ('live', ?1, ?2, ?3)"));
  for (const Migration& m : kMigrations) {
    if (m.version <= have) continue;
    PINPIPE_RETURN_IF_ERROR(db->Exec(m.sql));
    PINPIPE_RETURN_IF_ERROR(record.BindInt(1, m.version));
    PINPIPE_RETURN_IF_ERROR(record.BindText(2, m.description));
    // Wall time of a schema change is metadata, not pipeline time.
    PINPIPE_RETURN_IF_ERROR(record.BindText(3, FormatRfc3339Micros(RealClock()->NowMicros())));
    PINPIPE_RETURN_IF_ERROR(record.Run());
    core::Log("live_sink").info("event=schema_migrated backend=sqlite version={}", m.version);
  }
  return Status::Ok();
}

}  // namespace

Status MigrateLiveSchema(SqliteDb* db) {
  PINPIPE_RETURN_IF_ERROR(db->Begin());
  Status st = MigrateInTransaction(db);
  if (!st.ok()) {
    (void)db->Rollback();
    return st.WithContext("migrating the live schema");
  }
  return db->Commit();
}

}  // namespace pinpipe::sinks::sqlite
