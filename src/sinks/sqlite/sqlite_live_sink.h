// LiveSink on SQLite (the embedded default): WAL mode, one BEGIN IMMEDIATE
// transaction per micro-batch with prepared statements: upsert into
// pins_live (newer wins), dead letters into pins_rejected, positions into
// pinpipe_offsets. Same tables and meaning as the PostgreSQL sink.
#pragma once

#include <memory>
#include <string>

#include "sinks/live_sink.h"
#include "sinks/sqlite/sqlite_db.h"

namespace pinpipe::sinks::sqlite {

// Externally serialized. SQLite's own locking lets other processes read the
// tables (WAL) while this one writes; a second writer waits busy_timeout_ms.
class SqliteLiveSink final : public LiveSink {
 public:
  // Opens or creates the file, sets WAL and synchronous, migrates the schema.
  static Result<std::unique_ptr<SqliteLiveSink>> Open(const std::string& path,
                                                      const LiveSinkOptions& options);

  Result<PositionMap> ReadPositions(const std::string& topic) override;
  Status CommitBatch(const LiveBatch& batch) override;
  std::string Describe() const override { return "sqlite:" + db_->path(); }

 private:
  explicit SqliteLiveSink(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status PrepareStatements();
  Status WriteBatch(const LiveBatch& batch);
  Status CheckPositions(const LiveBatch& batch);
  Status UpsertRow(const LiveRow& row);
  Status InsertDeadLetter(const DeadLetter& dead);

  std::unique_ptr<SqliteDb> db_;
  Statement positions_;
  Statement upsert_;
  Statement insert_dead_;
  Statement store_position_;
  std::string scratch_;  // reused text buffer (tag_list JSON)
};

// Brings the live schema in `db` to the newest version (pinpipe_migrations,
// component 'live'); idempotent. Exposed for tests.
Status MigrateLiveSchema(SqliteDb* db);

}  // namespace pinpipe::sinks::sqlite
