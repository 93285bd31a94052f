// LiveSink on PostgreSQL (libpq). One transaction per micro-batch: the topic
// lock, the positions check, the rows (INSERT … ON CONFLICT (unique_id) DO
// UPDATE … WHERE newer), the dead letters and the new positions. Large
// batches go by binary COPY through session-temporary staging tables; small
// ones as binary array parameters in one libpq pipeline (one round trip).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "sinks/live_sink.h"
#include "sinks/postgres/binary_array.h"
#include "sinks/postgres/copy_binary_writer.h"
#include "sinks/postgres/pg_connection.h"

namespace pinpipe::sinks::postgres {

// Externally serialized. Owns one connection; after the connection is lost a
// call returns kUnavailable and the next call reconnects (and re-creates the
// session's staging tables and prepared statements).
class PostgresLiveSink final : public LiveSink {
 public:
  // Connects and migrates. kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<PostgresLiveSink>> Open(const std::string& uri,
                                                        const LiveSinkOptions& options);

  Result<PositionMap> ReadPositions(const std::string& topic) override;
  Status CommitBatch(const LiveBatch& batch) override;
  std::string Describe() const override { return description_; }

 private:
  PostgresLiveSink(std::string uri, LiveSinkOptions options) : uri_(std::move(uri)), options_(options) {}
  Status EnsureConnected();
  Status PrepareStatements();
  // The COPY path (live_copy_commit.cc): BEGIN … COMMIT around these.
  Status CommitWithCopy(const LiveBatch& batch);
  Status CheckPositions(const LiveBatch& batch);
  Status WriteRows(const LiveBatch& batch);
  Status WriteDeadLetters(const LiveBatch& batch);
  Status StorePositions(const LiveBatch& batch);
  // The array path (live_array_commit.cc).
  Status CommitWithArrays(const LiveBatch& batch);
  void EncodeArrays(const LiveBatch& batch);
  // Ends a failed transaction; drops the connection when it is broken.
  void Abandon();

  std::string uri_;
  LiveSinkOptions options_;
  std::string description_;
  std::unique_ptr<PgConnection> conn_;
  CopyBinaryWriter copy_;  // reused across batches to keep its buffer
  // One binary array per column of pins_live / pins_rejected, and the
  // positions; reused across batches.
  std::array<BinaryArray, 16> columns_;
  std::array<BinaryArray, 7> dead_columns_;
  BinaryArray partitions_, from_, next_;
  std::string scratch_;
};

// The pg_advisory_xact_lock keys of a batch's partitions, one stable bigint
// per (topic, partition), ascending, as an array literal ("{k1,k2}"). Locks
// per partition, not per topic, let connections that commit disjoint
// partitions (the stream's lanes) write at once; ascending order keeps two
// sessions that want overlapping sets from deadlocking.
std::string PartitionLockKeys(std::string_view topic, const PositionMap& partitions);

}  // namespace pinpipe::sinks::postgres
