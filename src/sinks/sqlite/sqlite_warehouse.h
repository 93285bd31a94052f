// The warehouse in a SQLite file: tables `pins` (one row per unique_id and
// dt), `pins_rejected`, `pins_dates`, schema versioned in
// `pinpipe_migrations` (component 'warehouse'). A date is replaced inside one
// BEGIN IMMEDIATE transaction; a rollback journal with synchronous=FULL
// makes COMMIT durable. Not WAL: a day's load would go to disk twice (the
// log, then the checkpoint) and took ~1 s more per 1M rows. The cost: a
// query waits (busy timeout) while a replacement holds the write lock.
#pragma once

#include <memory>
#include <string>

#include "sinks/sqlite/sqlite_db.h"
#include "sinks/warehouse.h"

namespace pinpipe::sinks::sqlite {

// Externally serialized (one SqliteDb connection).
class SqliteWarehouse final : public Warehouse {
 public:
  // Creates the file and schema unless read_only; kNotFound when read_only
  // and there is no database file.
  static Result<std::unique_ptr<SqliteWarehouse>> Open(const std::string& path, const WarehouseOptions& options);

  Result<std::unique_ptr<DateReplacement>> BeginReplace(std::string_view dt) override;
  Status ScanDate(std::string_view dt, int64_t first, int64_t count,
                  const std::function<Status(const WarehouseRow&)>& fn) override;
  Result<DateCounts> CountDate(std::string_view dt) override;
  Result<std::unique_ptr<Warehouse>> OpenReader() override;
  Status Query(std::string_view sql, QueryResultSink* sink) override;
  std::string Describe() const override { return "sqlite:" + db_->path(); }

  SqliteDb* db() { return db_.get(); }

 private:
  SqliteWarehouse(std::unique_ptr<SqliteDb> db, const WarehouseOptions& options)
      : db_(std::move(db)), options_(options) {}
  std::unique_ptr<SqliteDb> db_;
  WarehouseOptions options_;
};

// Applies the warehouse migrations that are missing (in one transaction).
Status MigrateWarehouse(SqliteDb* db);
// The newest warehouse schema version this build knows.
int WarehouseSchemaVersion();

// tag_list as stored (pin::AppendTagListJson) back into strings: any JSON
// array of strings. Reading replaces `tags` and reuses its strings' buffers
// (a scan of a million rows then allocates almost nothing). *as_written (if
// given) is true only if `json` is byte for byte pin::AppendTagListJson(*tags)
// (it is false for tags that needed escapes).
Status ReadTagListJson(std::string_view json, std::vector<std::string>* tags, bool* as_written = nullptr);

}  // namespace pinpipe::sinks::sqlite
