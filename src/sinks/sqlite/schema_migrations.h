// Versioned schema migrations for one component's tables in a SQLite file
// (the live sink's and the warehouse's share one `pinpipe_migrations` table,
// so both can live in one database).
#pragma once

#include <span>
#include <string_view>

#include "core/status.h"
#include "sinks/sqlite/sqlite_db.h"

namespace pinpipe::sinks::sqlite {

// Appended to a component's list; an applied one is never edited.
struct SchemaMigration {
  int version;  // 1, 2, ... in list order
  const char* description;
  const char* sql;
};

// Inside the caller's transaction: creates pinpipe_migrations if missing,
// refuses a database migrated by a newer pinpipe, and applies every migration
// newer than the one recorded for `component`, logging each.
Status ApplySchemaMigrations(SqliteDb* db, std::string_view component, std::span<const SchemaMigration> migrations);

}  // namespace pinpipe::sinks::sqlite
