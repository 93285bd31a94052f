// SqliteLiveSink: one BEGIN IMMEDIATE transaction per batch; see the header
// and docs/stream.md.
#include "sinks/sqlite/sqlite_live_sink.h"

#include <string>

#include "core/clock.h"
#include "core/log.h"

namespace pinpipe::sinks::sqlite {
namespace {

constexpr char kPositionsSql[] = "SELECT bus_partition, next_offset FROM pinpipe_offsets WHERE topic = ?1";
// Newer = greater (ingested_at, bus_partition, bus_offset), as the batch
// path's dedupe orders versions.
constexpr char kUpsertSql[] = R"sql(
INSERT INTO pins_live (unique_id, ind, title, description, poster_name, follower_count, tag_list,
  is_video, media_type, image_src, downloaded, save_location, category, ingested_at, bus_partition,
  bus_offset)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT (unique_id) DO UPDATE SET
  ind = excluded.ind, title = excluded.title, description = excluded.description,
  poster_name = excluded.poster_name, follower_count = excluded.follower_count,
  tag_list = excluded.tag_list, is_video = excluded.is_video, media_type = excluded.media_type,
  image_src = excluded.image_src, downloaded = excluded.downloaded,
  save_location = excluded.save_location, category = excluded.category,
  ingested_at = excluded.ingested_at, bus_partition = excluded.bus_partition,
  bus_offset = excluded.bus_offset
WHERE (excluded.ingested_at, excluded.bus_partition, excluded.bus_offset)
    > (pins_live.ingested_at, pins_live.bus_partition, pins_live.bus_offset))sql";
constexpr char kInsertDeadSql[] = R"sql(
INSERT INTO pins_rejected (reason, field, detail, raw, bus_partition, bus_offset, ingested_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (bus_partition, bus_offset) DO NOTHING)sql";
constexpr char kStorePositionSql[] = R"sql(
INSERT INTO pinpipe_offsets (topic, bus_partition, next_offset) VALUES (?1, ?2, ?3)
ON CONFLICT (topic, bus_partition) DO UPDATE SET next_offset = excluded.next_offset)sql";

// Binds text as the PostgreSQL sink stores it: valid UTF-8 without NUL.
Status BindStorable(Statement* st, int index, std::string_view s) {
  if (IsStorableText(s)) return st->BindText(index, s);
  return st->BindText(index, ToStorableText(s));
}

Status BindOptionalText(Statement* st, int index, const std::optional<std::string>& v) {
  return v ? BindStorable(st, index, *v) : st->BindNull(index);
}

template <typename T>
Status BindOptionalInt(Statement* st, int index, const std::optional<T>& v) {
  return v ? st->BindInt(index, static_cast<int64_t>(*v)) : st->BindNull(index);
}

void TagListJson(const std::vector<std::string>& tags, std::string* out) {
  out->clear();
  out->push_back('[');
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out->push_back(',');
    pin::AppendJsonString(IsStorableText(tags[i]) ? tags[i] : ToStorableText(tags[i]), out);
  }
  out->push_back(']');
}

}  // namespace

Result<std::unique_ptr<SqliteLiveSink>> SqliteLiveSink::Open(const std::string& path,
                                                             const LiveSinkOptions& options) {
  SqliteOpenOptions open_options;
  open_options.busy_timeout_ms = options.busy_timeout_ms;
  open_options.wal = true;
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, open_options));
  PINPIPE_RETURN_IF_ERROR(
      db->Exec(options.sqlite_sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  PINPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-65536"));  // 64 MiB of pages
  PINPIPE_RETURN_IF_ERROR(MigrateLiveSchema(db.get()));
  std::unique_ptr<SqliteLiveSink> sink(new SqliteLiveSink(std::move(db)));
  PINPIPE_RETURN_IF_ERROR(sink->PrepareStatements());
  core::Log("live_sink").info("event=opened sink={}", core::LogValue(sink->Describe()));
  return sink;
}

Status SqliteLiveSink::PrepareStatements() {
  PINPIPE_ASSIGN_OR_RETURN(positions_, db_->Prepare(kPositionsSql));
  PINPIPE_ASSIGN_OR_RETURN(upsert_, db_->Prepare(kUpsertSql));
  PINPIPE_ASSIGN_OR_RETURN(insert_dead_, db_->Prepare(kInsertDeadSql));
  PINPIPE_ASSIGN_OR_RETURN(store_position_, db_->Prepare(kStorePositionSql));
  return Status::Ok();
}

Result<PositionMap> SqliteLiveSink::ReadPositions(const std::string& topic) {
  positions_.Reset();
  PINPIPE_RETURN_IF_ERROR(positions_.BindText(1, topic));
  PositionMap out;
  for (;;) {
    auto row = positions_.Step();
    if (!row.ok()) {
      positions_.Reset();
      return row.status();
    }
    if (!*row) break;
    out[static_cast<bus::PartitionId>(positions_.ColumnInt(0))] = positions_.ColumnInt(1);
  }
  positions_.Reset();
  return out;
}

Status SqliteLiveSink::CommitBatch(const LiveBatch& batch) {
  PINPIPE_CHECK(batch.from != nullptr && batch.next != nullptr);
  for (const LiveRow& row : batch.rows) {
    if (!row.record.ingested_at) return Status::InvalidArgument("live row without ingested_at");
  }
  PINPIPE_RETURN_IF_ERROR(db_->Begin());  // BEGIN IMMEDIATE: we hold the write lock from here
  Status st = WriteBatch(batch);
  if (st.ok()) st = db_->Commit();
  if (!st.ok()) {
    upsert_.Reset();
    insert_dead_.Reset();
    store_position_.Reset();
    (void)db_->Rollback();
  }
  return st;
}

Status SqliteLiveSink::WriteBatch(const LiveBatch& batch) {
  PINPIPE_RETURN_IF_ERROR(CheckPositions(batch));
  for (const LiveRow& row : batch.rows) PINPIPE_RETURN_IF_ERROR(UpsertRow(row));
  for (const DeadLetter& dead : batch.dead) PINPIPE_RETURN_IF_ERROR(InsertDeadLetter(dead));
  for (const auto& [partition, next] : *batch.next) {
    PINPIPE_RETURN_IF_ERROR(store_position_.BindText(1, batch.topic));
    PINPIPE_RETURN_IF_ERROR(store_position_.BindInt(2, partition));
    PINPIPE_RETURN_IF_ERROR(store_position_.BindInt(3, next));
    PINPIPE_RETURN_IF_ERROR(store_position_.Run());
  }
  return Status::Ok();
}

Status SqliteLiveSink::CheckPositions(const LiveBatch& batch) {
  PINPIPE_ASSIGN_OR_RETURN(PositionMap now, ReadPositions(std::string(batch.topic)));
  return CheckPositionsUnmoved(batch, now);
}

Status SqliteLiveSink::UpsertRow(const LiveRow& row) {
  const pin::CleanRecord& r = row.record;
  Statement* st = &upsert_;
  TagListJson(r.tag_list, &scratch_);
  PINPIPE_RETURN_IF_ERROR(BindStorable(st, 1, r.unique_id));
  PINPIPE_RETURN_IF_ERROR(BindOptionalInt(st, 2, r.ind));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 3, r.title));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 4, r.description));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 5, r.poster_name));
  PINPIPE_RETURN_IF_ERROR(BindOptionalInt(st, 6, r.follower_count));
  PINPIPE_RETURN_IF_ERROR(st->BindText(7, scratch_));
  PINPIPE_RETURN_IF_ERROR(BindOptionalInt(st, 8, r.is_video));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 9, r.media_type));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 10, r.image_src));
  PINPIPE_RETURN_IF_ERROR(BindOptionalInt(st, 11, r.downloaded));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 12, r.save_location));
  PINPIPE_RETURN_IF_ERROR(BindOptionalText(st, 13, r.category));
  PINPIPE_RETURN_IF_ERROR(st->BindText(14, FormatRfc3339Micros(*r.ingested_at)));
  PINPIPE_RETURN_IF_ERROR(st->BindInt(15, row.position.partition));
  PINPIPE_RETURN_IF_ERROR(st->BindInt(16, row.position.offset));
  return st->Run();
}

Status SqliteLiveSink::InsertDeadLetter(const DeadLetter& d) {
  Statement* st = &insert_dead_;
  PINPIPE_RETURN_IF_ERROR(st->BindText(1, pin::RejectReasonName(d.rejection.reason)));
  PINPIPE_RETURN_IF_ERROR(d.rejection.field.empty() ? st->BindNull(2)
                                                    : BindStorable(st, 2, d.rejection.field));
  PINPIPE_RETURN_IF_ERROR(BindStorable(st, 3, d.rejection.detail));
  PINPIPE_RETURN_IF_ERROR(BindStorable(st, 4, d.raw));
  PINPIPE_RETURN_IF_ERROR(st->BindInt(5, d.position.partition));
  PINPIPE_RETURN_IF_ERROR(st->BindInt(6, d.position.offset));
  PINPIPE_RETURN_IF_ERROR(d.ingested_at ? st->BindText(7, FormatRfc3339Micros(*d.ingested_at))
                                        : st->BindNull(7));
  return st->Run();
}

}  // namespace pinpipe::sinks::sqlite
