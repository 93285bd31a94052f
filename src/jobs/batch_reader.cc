// Decompress -> parse landed line -> check against the key -> clean.
#include "jobs/batch_reader.h"

#include "jobs/lake_line.h"
#include "lake/zstd_codec.h"

namespace pinpipe::jobs {
namespace {

Status LineError(int64_t line_number, std::string_view what) {
  return Status::Corruption("line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

Status ReadRawObject(lake::ObjectStore* store, const RawObjectTask& task, pin::Cleaner* cleaner,
                     size_t rows_per_chunk, const std::function<Status(BatchChunk*)>& emit) {
  PINPIPE_ASSIGN_OR_RETURN(std::string compressed, store->Get(task.key));
  const lake::RawObjectKey& key = task.parsed;
  BatchChunk chunk;
  // Rows of the chunk filled so far; rows beyond are a refilled chunk's old
  // rows, overwritten in place (their strings keep their buffers).
  size_t used = 0;
  auto start = [&] {
    used = 0;
    chunk.rejects.clear();
    chunk.raw_records = 0;
    chunk.overlap_skipped = 0;
    chunk.last = false;
    chunk.rows.reserve(rows_per_chunk);
  };
  auto hand_over = [&] {
    chunk.rows.resize(used);
    return emit(&chunk);
  };
  start();
  LakeLine line;
  std::string scratch;
  pin::Rejection rejection;
  int64_t previous = -1;
  Status st = lake::ZstdForEachLine(compressed, [&](std::string_view text, int64_t n) -> Status {
    PINPIPE_RETURN_IF_ERROR(ParseLakeLine(text, &line, &scratch).WithContext("line " + std::to_string(n)));
    if (line.partition != key.partition) return LineError(n, "record of partition " + std::to_string(line.partition));
    if (line.offset < key.first_offset || line.offset > key.last_offset || line.offset <= previous ||
        (n == 1 && line.offset != key.first_offset)) {
      return LineError(n, "offset " + std::to_string(line.offset) + " out of order or outside the key's range");
    }
    if (lake::LakeHour::Of(line.ingested_at) != key.hour) {
      return LineError(n, "ingested_at " + FormatRfc3339Micros(line.ingested_at) + " is outside the object's hour");
    }
    previous = line.offset;
    if (line.offset <= task.skip_through) {
      ++chunk.overlap_skipped;
      return Status::Ok();
    }
    ++chunk.raw_records;
    sinks::WarehouseRow& row = used < chunk.rows.size() ? chunk.rows[used] : chunk.rows.emplace_back();
    if (cleaner->Clean(line.raw, &row.record, &rejection)) {
      row.record.ingested_at = line.ingested_at;
      row.partition = line.partition;
      row.offset = line.offset;
      if (!sinks::RenderWarehouseRowForms(&row)) {
        return Status::Internal("the cleaner accepted unique_id '" + row.record.unique_id + "', not a UUID");
      }
      ++used;
    } else {
      chunk.rejects.push_back({std::string(pin::RejectReasonName(rejection.reason)), rejection.field,
                               rejection.detail, ToValidUtf8(line.raw), line.partition, line.offset,
                               line.ingested_at});
    }
    if (used + chunk.rejects.size() >= rows_per_chunk) {
      PINPIPE_RETURN_IF_ERROR(hand_over());
      start();
    }
    return Status::Ok();
  });
  PINPIPE_RETURN_IF_ERROR(st);
  if (previous < 0) return Status::Corruption("object holds no records");
  if (previous != key.last_offset) {
    return Status::Corruption("object ends at offset " + std::to_string(previous) + ", its key says " +
                              std::to_string(key.last_offset));
  }
  chunk.last = true;
  return hand_over();
}

}  // namespace pinpipe::jobs
