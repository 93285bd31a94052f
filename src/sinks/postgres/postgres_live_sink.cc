// PostgresLiveSink: one transaction per batch; see the header and docs/stream.md.
#include "sinks/postgres/postgres_live_sink.h"

#include <string>
#include <vector>

#include "core/log.h"
#include "sinks/postgres/pg_schema.h"

namespace pinpipe::sinks::postgres {
namespace {

constexpr char kApplicationName[] = "pinpipe-stream";

constexpr char kLockSql[] = "SELECT pg_advisory_xact_lock($1::bigint)";
constexpr char kPositionsSql[] = "SELECT bus_partition, next_offset FROM pinpipe_offsets WHERE topic = $1";
#define PINPIPE_LIVE_COLUMNS                                                                           \
  "unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, media_type, " \
  "image_src, downloaded, save_location, category, ingested_at, bus_partition, bus_offset"
constexpr char kCopyStageSql[] = "COPY pinpipe_stage_live (" PINPIPE_LIVE_COLUMNS ") FROM STDIN (FORMAT binary)";
constexpr char kCopyDeadSql[] = "COPY pinpipe_stage_rejected FROM STDIN (FORMAT binary)";
// Staged rows are upserted; newer = greater (ingested_at, bus_partition,
// bus_offset), as the batch path's dedupe orders versions, so an older
// version leaves the stored row alone. (Probing for existing keys and
// COPYing new rows straight into pins_live measured no cheaper: the probe
// costs what ON CONFLICT's own index check does; see docs/stream.md.)
constexpr char kUpsertSql[] = "INSERT INTO pins_live AS t (" PINPIPE_LIVE_COLUMNS ") SELECT " PINPIPE_LIVE_COLUMNS
                              " FROM pinpipe_stage_live" R"sql(
ON CONFLICT (unique_id) DO UPDATE SET
  ind = EXCLUDED.ind, title = EXCLUDED.title, description = EXCLUDED.description,
  poster_name = EXCLUDED.poster_name, follower_count = EXCLUDED.follower_count,
  tag_list = EXCLUDED.tag_list, is_video = EXCLUDED.is_video, media_type = EXCLUDED.media_type,
  image_src = EXCLUDED.image_src, downloaded = EXCLUDED.downloaded,
  save_location = EXCLUDED.save_location, category = EXCLUDED.category,
  ingested_at = EXCLUDED.ingested_at, bus_partition = EXCLUDED.bus_partition,
  bus_offset = EXCLUDED.bus_offset
WHERE (EXCLUDED.ingested_at, EXCLUDED.bus_partition, EXCLUDED.bus_offset)
    > (t.ingested_at, t.bus_partition, t.bus_offset))sql";
constexpr char kInsertDeadSql[] = R"sql(
INSERT INTO pins_rejected (reason, field, detail, raw, bus_partition, bus_offset, ingested_at)
SELECT reason, field, detail, raw, bus_partition, bus_offset, ingested_at
FROM pinpipe_stage_rejected ORDER BY bus_partition, bus_offset
ON CONFLICT (bus_partition, bus_offset) DO NOTHING)sql";
constexpr char kStorePositionsSql[] = R"sql(
INSERT INTO pinpipe_offsets (topic, bus_partition, next_offset)
SELECT $1, p, o FROM unnest($2::integer[], $3::bigint[]) AS u(p, o)
ON CONFLICT (topic, bus_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset)sql";

constexpr int16_t kLiveColumns = 16;
constexpr int16_t kDeadColumns = 7;

// A stable bigint per topic for pg_advisory_xact_lock: FNV-1a 64.
std::string TopicLockKey(std::string_view topic) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : std::string("pinpipe_offsets/") + std::string(topic)) {
    h = (h ^ c) * 1099511628211ull;
  }
  return std::to_string(static_cast<int64_t>(h));
}

template <typename T>
void OptionalText(CopyBinaryWriter* w, const std::optional<T>& v) {
  if (v) w->Text(*v); else w->Null();
}

void EncodeRow(const LiveRow& row, CopyBinaryWriter* w) {
  const pin::CleanRecord& r = row.record;
  w->BeginRow(kLiveColumns);
  w->Text(r.unique_id);
  if (r.ind) w->Int64(*r.ind); else w->Null();
  OptionalText(w, r.title);
  OptionalText(w, r.description);
  OptionalText(w, r.poster_name);
  if (r.follower_count) w->Int64(*r.follower_count); else w->Null();
  w->TextArray(r.tag_list);
  if (r.is_video) w->Bool(*r.is_video); else w->Null();
  OptionalText(w, r.media_type);
  OptionalText(w, r.image_src);
  if (r.downloaded) w->Bool(*r.downloaded); else w->Null();
  OptionalText(w, r.save_location);
  OptionalText(w, r.category);
  w->Timestamp(*r.ingested_at);
  w->Int32(row.position.partition);
  w->Int64(row.position.offset);
}

void EncodeDeadLetter(const DeadLetter& d, CopyBinaryWriter* w) {
  w->BeginRow(kDeadColumns);
  w->Text(pin::RejectReasonName(d.rejection.reason));
  if (d.rejection.field.empty()) w->Null(); else w->Text(d.rejection.field);
  w->Text(d.rejection.detail);
  w->Text(d.raw);
  w->Int32(d.position.partition);
  w->Int64(d.position.offset);
  if (d.ingested_at) w->Timestamp(*d.ingested_at); else w->Null();
}

}  // namespace

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
  PINPIPE_RETURN_IF_ERROR(conn_->Prepare("pinpipe_lock", kLockSql));
  PINPIPE_RETURN_IF_ERROR(conn_->Prepare("pinpipe_positions", kPositionsSql));
  PINPIPE_RETURN_IF_ERROR(conn_->Prepare("pinpipe_upsert", kUpsertSql));
  PINPIPE_RETURN_IF_ERROR(conn_->Prepare("pinpipe_insert_dead", kInsertDeadSql));
  return conn_->Prepare("pinpipe_store_positions", kStorePositionsSql);
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
  Status st = conn_->Exec("BEGIN");
  if (st.ok()) st = WriteBatch(batch);
  if (st.ok()) st = conn_->Exec("COMMIT");
  if (!st.ok()) Abandon();
  return st;
}

Status PostgresLiveSink::WriteBatch(const LiveBatch& batch) {
  PINPIPE_RETURN_IF_ERROR(CheckPositions(batch));
  PINPIPE_RETURN_IF_ERROR(WriteRows(batch));
  PINPIPE_RETURN_IF_ERROR(WriteDeadLetters(batch));
  return StorePositions(batch);
}

void PostgresLiveSink::Abandon() {
  if (conn_ == nullptr) return;
  if (conn_->ok() && conn_->Exec("ROLLBACK").ok()) return;
  conn_.reset();  // broken: the next call reconnects
}

Status PostgresLiveSink::CheckPositions(const LiveBatch& batch) {
  // The lock serializes commits of one topic across sessions, so the check
  // below and the write after it cannot interleave with another writer's.
  PINPIPE_RETURN_IF_ERROR(conn_->ExecPrepared("pinpipe_lock", {TopicLockKey(batch.topic)}).status());
  PINPIPE_ASSIGN_OR_RETURN(PgResult stored, conn_->ExecPrepared("pinpipe_positions", {batch.topic}));
  PositionMap now;
  for (int i = 0; i < stored.Rows(); ++i) {
    now[std::stoi(std::string(stored.Text(i, 0)))] = std::stoll(std::string(stored.Text(i, 1)));
  }
  for (const auto& [partition, next] : *batch.next) {
    auto have = now.find(partition);
    auto want = batch.from->find(partition);
    bool same = (have == now.end() && want == batch.from->end()) ||
                (have != now.end() && want != batch.from->end() && have->second == want->second);
    if (!same) {
      return Status::Unavailable("stored positions of topic " + std::string(batch.topic) + " partition " +
                                 std::to_string(partition) +
                                 " moved since they were read (another stream process?); re-read them");
    }
  }
  return Status::Ok();
}

Status PostgresLiveSink::WriteRows(const LiveBatch& batch) {
  if (batch.rows.empty()) return Status::Ok();
  copy_.Reset();
  for (const LiveRow& row : batch.rows) EncodeRow(row, &copy_);
  PINPIPE_RETURN_IF_ERROR(conn_->CopyIn(kCopyStageSql, copy_.Finish()));
  return conn_->ExecPrepared("pinpipe_upsert").status();
}

Status PostgresLiveSink::WriteDeadLetters(const LiveBatch& batch) {
  if (batch.dead.empty()) return Status::Ok();
  copy_.Reset();
  for (const DeadLetter& d : batch.dead) EncodeDeadLetter(d, &copy_);
  PINPIPE_RETURN_IF_ERROR(conn_->CopyIn(kCopyDeadSql, copy_.Finish()));
  return conn_->ExecPrepared("pinpipe_insert_dead").status();
}

Status PostgresLiveSink::StorePositions(const LiveBatch& batch) {
  if (batch.next->empty()) return Status::Ok();
  std::string partitions = "{";
  std::string offsets = "{";
  for (const auto& [partition, next] : *batch.next) {
    if (partitions.size() > 1) {
      partitions += ',';
      offsets += ',';
    }
    partitions += std::to_string(partition);
    offsets += std::to_string(next);
  }
  partitions += '}';
  offsets += '}';
  return conn_->ExecPrepared("pinpipe_store_positions", {batch.topic, partitions, offsets}).status();
}

}  // namespace pinpipe::sinks::postgres
