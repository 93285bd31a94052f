// The COPY commit path (large batches): binary COPY of the rows into a
// session-temporary staging table, INSERT … SELECT … ON CONFLICT into
// pins_live; dead letters likewise; positions checked and stored; all in one
// transaction. Fewest server CPU per row; more round trips than the array path.
#include <string>

#include "sinks/postgres/binary_value.h"
#include "sinks/postgres/live_sql.h"
#include "sinks/postgres/postgres_live_sink.h"

namespace pinpipe::sinks::postgres {
namespace {

constexpr size_t kCopyChunk = 256 << 10;

void EncodeRow(const LiveRow& row, CopyBinaryWriter* w) {
  const pin::CleanRecord& r = row.record;
  w->BeginRow(sql::kLiveColumns);
  w->Text(r.unique_id);
  PutOptional(*w, r.ind);
  PutOptional(*w, r.title);
  PutOptional(*w, r.description);
  PutOptional(*w, r.poster_name);
  PutOptional(*w, r.follower_count);
  w->TextArray(r.tag_list);
  PutOptional(*w, r.is_video);
  PutOptional(*w, r.media_type);
  PutOptional(*w, r.image_src);
  PutOptional(*w, r.downloaded);
  PutOptional(*w, r.save_location);
  PutOptional(*w, r.category);
  w->Timestamp(*r.ingested_at);
  w->Int32(row.position.partition);
  w->Int64(row.position.offset);
}

void EncodeDeadLetter(const DeadLetter& d, CopyBinaryWriter* w) {
  w->BeginRow(sql::kDeadColumns);
  w->Text(pin::RejectReasonName(d.rejection.reason));
  if (d.rejection.field.empty())
    w->Null();
  else
    w->Text(d.rejection.field);
  w->Text(d.rejection.detail);
  w->Text(d.raw);
  w->Int32(d.position.partition);
  w->Int64(d.position.offset);
  if (d.ingested_at)
    w->Timestamp(*d.ingested_at);
  else
    w->Null();
}

}  // namespace

Status PostgresLiveSink::CommitWithCopy(const LiveBatch& batch) {
  PINPIPE_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  PINPIPE_RETURN_IF_ERROR(CheckPositions(batch));
  PINPIPE_RETURN_IF_ERROR(WriteRows(batch));
  PINPIPE_RETURN_IF_ERROR(WriteDeadLetters(batch));
  PINPIPE_RETURN_IF_ERROR(StorePositions(batch));
  return conn_->Exec("COMMIT");
}

Status PostgresLiveSink::CheckPositions(const LiveBatch& batch) {
  // The locks serialize commits of the same partitions across sessions, so
  // the check below and the write after it cannot interleave with another
  // writer's.
  PINPIPE_RETURN_IF_ERROR(conn_->ExecPrepared("pinpipe_lock", {PartitionLockKeys(batch.topic, *batch.next)}).status());
  PINPIPE_ASSIGN_OR_RETURN(PgResult stored, conn_->ExecPrepared("pinpipe_positions", {batch.topic}));
  PositionMap now;
  for (int i = 0; i < stored.Rows(); ++i) {
    now[std::stoi(std::string(stored.Text(i, 0)))] = std::stoll(std::string(stored.Text(i, 1)));
  }
  return CheckPositionsUnmoved(batch, now);
}

Status PostgresLiveSink::WriteRows(const LiveBatch& batch) {
  if (batch.rows.empty()) return Status::Ok();
  // Streamed in chunks, so the server parses rows while later ones are encoded.
  PINPIPE_RETURN_IF_ERROR(conn_->CopyIn(sql::kCopyStage, [&](const PgConnection::CopySender& send) {
    copy_.Reset();
    for (const LiveRow& row : batch.rows) {
      EncodeRow(row, &copy_);
      if (copy_.size() >= kCopyChunk) {
        if (!send(copy_.buffered())) return;
        copy_.DropBuffered();
      }
    }
    send(copy_.Finish());
  }));
  return conn_->ExecPrepared("pinpipe_upsert_staged").status();
}

Status PostgresLiveSink::WriteDeadLetters(const LiveBatch& batch) {
  if (batch.dead.empty()) return Status::Ok();
  copy_.Reset();
  for (const DeadLetter& d : batch.dead) EncodeDeadLetter(d, &copy_);
  PINPIPE_RETURN_IF_ERROR(conn_->CopyIn(sql::kCopyStageDead, copy_.Finish()));
  return conn_->ExecPrepared("pinpipe_insert_dead_staged").status();
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
