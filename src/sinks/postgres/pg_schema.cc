// Versioned DDL for the live tables. A new migration is appended to
// kMigrations; an applied one is never edited.
#include "sinks/postgres/pg_schema.h"

#include <string>

#include "core/log.h"

namespace pinpipe::sinks::postgres {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "live tables: pins_live, pins_rejected, pinpipe_offsets", R"sql(
CREATE TABLE IF NOT EXISTS pins_live (
  unique_id      text COLLATE "C" PRIMARY KEY,  -- byte order: fast, locale-independent
  ind            bigint,
  title          text,
  description    text,
  poster_name    text,
  follower_count bigint,
  tag_list       text[] NOT NULL DEFAULT '{}',
  is_video       boolean,
  media_type     text,
  image_src      text,
  downloaded     boolean,
  save_location  text,
  category       text,
  ingested_at    timestamptz NOT NULL,
  bus_partition  integer NOT NULL,
  bus_offset     bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS pins_rejected (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  reason         text NOT NULL,
  field          text,
  detail         text NOT NULL,
  raw            text NOT NULL,
  bus_partition  integer NOT NULL,
  bus_offset     bigint NOT NULL,
  ingested_at    timestamptz,
  UNIQUE (bus_partition, bus_offset)
);
CREATE TABLE IF NOT EXISTS pinpipe_offsets (
  topic          text NOT NULL,
  bus_partition  integer NOT NULL,
  next_offset    bigint NOT NULL,
  PRIMARY KEY (topic, bus_partition)
);
)sql"},
};

// Arbitrary constant naming "pinpipe live schema" for pg_advisory_xact_lock.
constexpr char kMigrationLockKey[] = "7311207641190513921";

}  // namespace

int LiveSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Status MigrateLiveSchema(PgConnection* conn) {
  PINPIPE_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  auto body = [&]() -> Status {
    PINPIPE_RETURN_IF_ERROR(
        conn->Query("SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLockKey}).status());
    PINPIPE_RETURN_IF_ERROR(conn->Exec(R"sql(
CREATE TABLE IF NOT EXISTS pinpipe_migrations (
  component   text NOT NULL,
  version     integer NOT NULL,
  description text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (component, version)
))sql"));
    PINPIPE_ASSIGN_OR_RETURN(
        PgResult current,
        conn->Query("SELECT coalesce(max(version), 0) FROM pinpipe_migrations WHERE component = 'live'"));
    int have = std::stoi(std::string(current.Text(0, 0)));
    if (have > LiveSchemaVersion()) {
      return Status::InvalidArgument("the database's live schema is version " + std::to_string(have) +
                                     ", newer than this pinpipe knows (" +
                                     std::to_string(LiveSchemaVersion()) + "); upgrade pinpipe");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= have) continue;
      PINPIPE_RETURN_IF_ERROR(conn->Exec(m.sql));
      std::string version = std::to_string(m.version);
      PINPIPE_RETURN_IF_ERROR(conn->Query("INSERT INTO pinpipe_migrations (component, version, description) "
                                          "VALUES ('live', $1::integer, $2)",
                                          {version, m.description})
                                  .status());
      core::Log("live_sink").info("event=schema_migrated backend=postgresql version={}", m.version);
    }
    return Status::Ok();
  };
  Status st = body();
  if (!st.ok()) {
    if (conn->ok()) (void)conn->Exec("ROLLBACK");
    return st.WithContext("migrating the live schema");
  }
  return conn->Exec("COMMIT");
}

Status CreateStagingTables(PgConnection* conn) {
  return conn->Exec(R"sql(
CREATE TEMP TABLE IF NOT EXISTS pinpipe_stage_live (LIKE pins_live) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS pinpipe_stage_rejected (
  reason text, field text, detail text, raw text,
  bus_partition integer, bus_offset bigint, ingested_at timestamptz
) ON COMMIT DELETE ROWS;
)sql");
}

}  // namespace pinpipe::sinks::postgres
