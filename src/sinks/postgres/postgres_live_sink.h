// LiveSink on PostgreSQL (libpq): per micro-batch, in one transaction, rows go
// by binary COPY into a session-temporary staging table and then into
// pins_live with INSERT … ON CONFLICT (unique_id) DO UPDATE … WHERE newer;
// dead letters likewise into pins_rejected; positions into pinpipe_offsets.
#pragma once

#include <memory>
#include <string>

#include "sinks/live_sink.h"
#include "sinks/postgres/copy_binary_writer.h"
#include "sinks/postgres/pg_connection.h"

namespace pinpipe::sinks::postgres {

// Externally serialized. Owns one connection; after the connection is lost a
// call returns kUnavailable and the next call reconnects (and re-creates the
// session's staging tables and prepared statements).
class PostgresLiveSink final : public LiveSink {
 public:
  // Connects and migrates. kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<PostgresLiveSink>> Open(const std::string& uri, const LiveSinkOptions& options);

  Result<PositionMap> ReadPositions(const std::string& topic) override;
  Status CommitBatch(const LiveBatch& batch) override;
  std::string Describe() const override { return description_; }

 private:
  PostgresLiveSink(std::string uri, LiveSinkOptions options) : uri_(std::move(uri)), options_(options) {}
  Status EnsureConnected();
  Status PrepareStatements();
  // The body of CommitBatch inside BEGIN … COMMIT.
  Status WriteBatch(const LiveBatch& batch);
  Status CheckPositions(const LiveBatch& batch);
  Status WriteRows(const LiveBatch& batch);
  Status WriteDeadLetters(const LiveBatch& batch);
  Status StorePositions(const LiveBatch& batch);
  // Ends a failed transaction; drops the connection when it is broken.
  void Abandon();

  std::string uri_;
  LiveSinkOptions options_;
  std::string description_;
  std::unique_ptr<PgConnection> conn_;
  CopyBinaryWriter copy_;  // reused across batches to keep its buffer
};

}  // namespace pinpipe::sinks::postgres
