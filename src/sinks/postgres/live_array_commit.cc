// The array commit path (small batches, the latency case): every column of
// the batch as one binary array parameter of INSERT … SELECT FROM unnest(…),
// sent with BEGIN, the topic lock, the positions check and the positions
// write in one libpq pipeline (one round trip), then COMMIT or ROLLBACK.
#include <string>
#include <vector>

#include "sinks/postgres/binary_value.h"
#include "sinks/postgres/live_sql.h"
#include "sinks/postgres/postgres_live_sink.h"

namespace pinpipe::sinks::postgres {

void PostgresLiveSink::EncodeArrays(const LiveBatch& batch) {
  const size_t n = batch.rows.size();
  for (size_t c = 0; c < sql::kLiveColumns; ++c) {
    static constexpr uint32_t kTypes[sql::kLiveColumns] = {
        kTextOid, kInt8Oid, kTextOid, kTextOid, kTextOid, kInt8Oid,        kTextOid, kBoolOid,
        kTextOid, kTextOid, kBoolOid, kTextOid, kTextOid, kTimestampTzOid, kInt4Oid, kInt8Oid};
    columns_[c].Reset(kTypes[c], n);
  }
  for (const LiveRow& row : batch.rows) {
    const pin::CleanRecord& r = row.record;
    columns_[0].Text(r.unique_id);
    PutOptional(columns_[1], r.ind);
    PutOptional(columns_[2], r.title);
    PutOptional(columns_[3], r.description);
    PutOptional(columns_[4], r.poster_name);
    PutOptional(columns_[5], r.follower_count);
    scratch_.clear();
    AppendTextArrayLiteral(r.tag_list, &scratch_);
    columns_[6].Text(scratch_);
    PutOptional(columns_[7], r.is_video);
    PutOptional(columns_[8], r.media_type);
    PutOptional(columns_[9], r.image_src);
    PutOptional(columns_[10], r.downloaded);
    PutOptional(columns_[11], r.save_location);
    PutOptional(columns_[12], r.category);
    columns_[13].Timestamp(*r.ingested_at);
    columns_[14].Int32(row.position.partition);
    columns_[15].Int64(row.position.offset);
  }
  const size_t m = batch.dead.size();
  static constexpr uint32_t kDeadTypes[sql::kDeadColumns] = {kTextOid, kTextOid, kTextOid,       kTextOid,
                                                             kInt4Oid, kInt8Oid, kTimestampTzOid};
  for (size_t c = 0; c < sql::kDeadColumns; ++c) dead_columns_[c].Reset(kDeadTypes[c], m);
  for (const DeadLetter& d : batch.dead) {
    dead_columns_[0].Text(pin::RejectReasonName(d.rejection.reason));
    if (d.rejection.field.empty())
      dead_columns_[1].Null();
    else
      dead_columns_[1].Text(d.rejection.field);
    dead_columns_[2].Text(d.rejection.detail);
    dead_columns_[3].Text(d.raw);
    dead_columns_[4].Int32(d.position.partition);
    dead_columns_[5].Int64(d.position.offset);
    if (d.ingested_at)
      dead_columns_[6].Timestamp(*d.ingested_at);
    else
      dead_columns_[6].Null();
  }
  const size_t k = batch.next->size();
  partitions_.Reset(kInt4Oid, k);
  from_.Reset(kInt8Oid, k);
  next_.Reset(kInt8Oid, k);
  for (const auto& [partition, next] : *batch.next) {
    auto it = batch.from->find(partition);
    partitions_.Int32(partition);
    from_.Int64(it == batch.from->end() ? -1 : it->second);
    next_.Int64(next);
  }
}

// One round trip for the whole transaction body, then COMMIT (or ROLLBACK
// when the positions moved).
Status PostgresLiveSink::CommitWithArrays(const LiveBatch& batch) {
  EncodeArrays(batch);
  auto binary = [](BinaryArray& a) { return PgValue{a.Finish(), true}; };
  std::string keys = PartitionLockKeys(batch.topic, *batch.next);
  std::vector<PgStep> steps;
  steps.push_back({.sql = "BEGIN"});
  steps.push_back({.prepared = "pinpipe_lock", .params = {{keys}}});
  steps.push_back(
      {.prepared = "pinpipe_count_moved", .params = {{batch.topic}, binary(partitions_), binary(from_)}});
  if (!batch.rows.empty()) {
    PgStep upsert{.prepared = "pinpipe_upsert_arrays"};
    for (BinaryArray& c : columns_) upsert.params.push_back(binary(c));
    steps.push_back(std::move(upsert));
  }
  if (!batch.dead.empty()) {
    PgStep dead{.prepared = "pinpipe_insert_dead_arrays"};
    for (BinaryArray& c : dead_columns_) dead.params.push_back(binary(c));
    steps.push_back(std::move(dead));
  }
  if (!batch.next->empty()) {
    steps.push_back({.prepared = "pinpipe_store_positions",
                     .params = {{batch.topic}, binary(partitions_), binary(next_)}});
  }
  PINPIPE_ASSIGN_OR_RETURN(std::vector<PgResult> results, conn_->Pipeline(steps));
  if (results.size() < 3 || results[2].Text(0, 0) != "0") {  // the caller rolls back
    return Status::Unavailable("stored positions of topic " + std::string(batch.topic) +
                               " moved since they were read (another stream process?); re-read them");
  }
  return conn_->Exec("COMMIT");
}

}  // namespace pinpipe::sinks::postgres
