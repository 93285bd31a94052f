// PostgresLiveSink: connection, schema, prepared statements, and the choice
// between the two commit paths (live_copy_commit.cc, live_array_commit.cc);
// see docs/stream.md.
#include "sinks/postgres/postgres_live_sink.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/log.h"
#include "sinks/postgres/live_sql.h"
#include "sinks/postgres/pg_schema.h"

namespace pinpipe::sinks::postgres {
namespace {
constexpr char kApplicationName[] = "pinpipe-stream";
}  // namespace

// FNV-1a 64 of "pinpipe_offsets/<topic>/<partition>".
std::string PartitionLockKeys(std::string_view topic, const PositionMap& partitions) {
  std::vector<int64_t> keys;
  for (const auto& entry : partitions) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : "pinpipe_offsets/" + std::string(topic) + "/" + std::to_string(entry.first)) {
      h = (h ^ c) * 1099511628211ull;
    }
    keys.push_back(static_cast<int64_t>(h));
  }
  std::sort(keys.begin(), keys.end());
  std::string out = "{";
  for (int64_t k : keys) {
    if (out.size() > 1) out += ',';
    out += std::to_string(k);
  }
  return out + "}";
}

Result<std::unique_ptr<PostgresLiveSink>> PostgresLiveSink::Open(const std::string& uri,
                                                                 const LiveSinkOptions& options) {
  std::unique_ptr<PostgresLiveSink> sink(new PostgresLiveSink(uri, options));
  PINPIPE_RETURN_IF_ERROR(sink->EnsureConnected());
  return sink;
}

Status PostgresLiveSink::EnsureConnected() {
  if (conn_ != nullptr && conn_->ok()) return Status::Ok();
  bool reconnect = conn_ != nullptr || !description_.empty();
  conn_.reset();
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                           PgConnection::Connect(uri_, options_.connect_timeout, kApplicationName));
  PINPIPE_RETURN_IF_ERROR(MigrateLiveSchema(conn.get()));
  PINPIPE_RETURN_IF_ERROR(CreateStagingTables(conn.get()));
  if (!options_.pg_synchronous_commit) PINPIPE_RETURN_IF_ERROR(conn->Exec("SET synchronous_commit = off"));
  conn_ = std::move(conn);
  Status st = PrepareStatements();
  if (!st.ok()) {
    conn_.reset();
    return st;
  }
  description_ = "postgresql://" + conn_->Describe();
  core::Log("live_sink").info("event={} sink={}", reconnect ? "reconnected" : "connected", description_);
  return Status::Ok();
}

Status PostgresLiveSink::PrepareStatements() {
  const std::pair<const char*, const char*> statements[] = {
      {"pinpipe_lock", sql::kLock},
      {"pinpipe_positions", sql::kPositions},
      {"pinpipe_store_positions", sql::kStorePositions},
      {"pinpipe_upsert_staged", sql::kUpsertFromStage},
      {"pinpipe_insert_dead_staged", sql::kInsertDeadFromStage},
      {"pinpipe_upsert_arrays", sql::kUpsertFromArrays},
      {"pinpipe_insert_dead_arrays", sql::kInsertDeadFromArrays},
      {"pinpipe_count_moved", sql::kCountMoved},
  };
  for (const auto& [name, text] : statements) PINPIPE_RETURN_IF_ERROR(conn_->Prepare(name, text));
  return Status::Ok();
}

Result<PositionMap> PostgresLiveSink::ReadPositions(const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(EnsureConnected());
  auto result = conn_->ExecPrepared("pinpipe_positions", {topic});
  if (!result.ok()) {
    if (!conn_->ok()) conn_.reset();
    return result.status();
  }
  PositionMap positions;
  for (int i = 0; i < result->Rows(); ++i) {
    positions[std::stoi(std::string(result->Text(i, 0)))] = std::stoll(std::string(result->Text(i, 1)));
  }
  return positions;
}

Status PostgresLiveSink::CommitBatch(const LiveBatch& batch) {
  PINPIPE_CHECK(batch.from != nullptr && batch.next != nullptr);
  for (const LiveRow& row : batch.rows) {
    if (!row.record.ingested_at) return Status::InvalidArgument("live row without ingested_at");
  }
  PINPIPE_RETURN_IF_ERROR(EnsureConnected());
  // Large batches: COPY (least server CPU per row). Small ones: arrays in one
  // pipeline (least round trips, which dominate a small commit).
  Status st =
      batch.rows.size() >= options_.pg_copy_min_rows ? CommitWithCopy(batch) : CommitWithArrays(batch);
  if (!st.ok()) Abandon();
  return st;
}

void PostgresLiveSink::Abandon() {
  if (conn_ == nullptr) return;
  if (conn_->ok() && conn_->Exec("ROLLBACK").ok()) return;
  conn_.reset();  // broken: the next call reconnects
}

}  // namespace pinpipe::sinks::postgres
