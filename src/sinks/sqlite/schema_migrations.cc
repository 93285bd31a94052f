#include "sinks/sqlite/schema_migrations.h"

#include <string>

#include "core/clock.h"
#include "core/log.h"

namespace pinpipe::sinks::sqlite {

Status ApplySchemaMigrations(SqliteDb* db, std::string_view component, std::span<const SchemaMigration> migrations) {
  PINPIPE_RETURN_IF_ERROR(db->Exec(R"sql(
CREATE TABLE IF NOT EXISTS pinpipe_migrations (
  component   TEXT NOT NULL,
  version     INTEGER NOT NULL,
  description TEXT NOT NULL,
  applied_at  TEXT NOT NULL,
  PRIMARY KEY (component, version)
))sql"));
  PINPIPE_ASSIGN_OR_RETURN(
      Statement current, db->Prepare("SELECT coalesce(max(version), 0) FROM pinpipe_migrations WHERE component = ?1"));
  PINPIPE_RETURN_IF_ERROR(current.BindText(1, component));
  PINPIPE_ASSIGN_OR_RETURN(bool has_row, current.Step());
  const int64_t have = has_row ? current.ColumnInt(0) : 0;
  current.Reset();
  const int64_t newest = static_cast<int64_t>(migrations.size());
  if (have > newest) {
    return Status::InvalidArgument("the database's " + std::string(component) + " schema is version " +
                                   std::to_string(have) + ", newer than this pinpipe knows (" +
                                   std::to_string(newest) + "); upgrade pinpipe");
  }
  PINPIPE_ASSIGN_OR_RETURN(Statement record,
                           db->Prepare("INSERT INTO pinpipe_migrations (component, version, description, applied_at) "
                                       "VALUES (?1, ?2, ?3, ?4)"));
  for (const SchemaMigration& m : migrations) {
    if (m.version <= have) continue;
    PINPIPE_RETURN_IF_ERROR(
        db->Exec(m.sql).WithContext(std::string(component) + " migration " + std::to_string(m.version)));
    PINPIPE_RETURN_IF_ERROR(record.BindText(1, component));
    PINPIPE_RETURN_IF_ERROR(record.BindInt(2, m.version));
    PINPIPE_RETURN_IF_ERROR(record.BindText(3, m.description));
    // Wall time of a schema change is metadata, not pipeline time.
    PINPIPE_RETURN_IF_ERROR(record.BindText(4, FormatRfc3339Micros(RealClock()->NowMicros())));
    PINPIPE_RETURN_IF_ERROR(record.Run());
    core::Log("sqlite").info("event=schema_migrated component={} version={} description={}", component, m.version,
                             core::LogValue(m.description));
  }
  return Status::Ok();
}

}  // namespace pinpipe::sinks::sqlite
