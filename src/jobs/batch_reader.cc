// Parse landed line -> check against the key -> clean -> render the clean zone.
#include "jobs/batch_reader.h"

#include "jobs/batch_clean_zone.h"
#include "jobs/lake_line.h"

namespace pinpipe::jobs {
namespace {

Status LineError(int64_t line_number, std::string_view what) {
  return Status::Corruption("line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

Status ReadLineBatch(const LineBatch& batch, const RawObjectTask& task, pin::Cleaner* cleaner,
                     bool render_zone, BatchChunk* chunk) {
  const lake::RawObjectKey& key = task.parsed;
  // Rows of the chunk filled so far; rows beyond are a refilled chunk's old
  // rows, overwritten in place (their strings keep their buffers).
  size_t used = 0;
  chunk->rejects.clear();
  chunk->raw_records = 0;
  chunk->overlap_skipped = 0;
  chunk->last = batch.last;
  chunk->first_line = batch.first_line;
  chunk->first_offset = chunk->last_offset = -1;
  chunk->zone_text.clear();
  chunk->zone_line_ends.clear();
  LakeLine line;
  std::string scratch;
  pin::Rejection rejection;
  std::string_view rest = batch.text;
  for (int64_t n = batch.first_line; !rest.empty(); ++n) {
    size_t nl = rest.find('\n');
    std::string_view text = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    PINPIPE_RETURN_IF_ERROR(ParseLakeLine(text, &line, &scratch).WithContext("line " + std::to_string(n)));
    if (line.partition != key.partition) return LineError(n, "record of partition " + std::to_string(line.partition));
    if (line.offset < key.first_offset || line.offset > key.last_offset || line.offset <= chunk->last_offset) {
      return LineError(n, "offset " + std::to_string(line.offset) + " out of order or outside the key's range");
    }
    if (lake::LakeHour::Of(line.ingested_at) != key.hour) {
      return LineError(n, "ingested_at " + FormatRfc3339Micros(line.ingested_at) + " is outside the object's hour");
    }
    if (chunk->first_offset < 0) chunk->first_offset = line.offset;
    chunk->last_offset = line.offset;
    if (line.offset <= task.skip_through) {
      ++chunk->overlap_skipped;
      continue;
    }
    ++chunk->raw_records;
    if (used == chunk->rows.size()) {
      if (chunk->spare_rows.empty()) {
        chunk->rows.emplace_back();
      } else {
        chunk->rows.push_back(std::move(chunk->spare_rows.back()));
        chunk->spare_rows.pop_back();
      }
    }
    sinks::WarehouseRow& row = chunk->rows[used];
    if (cleaner->Clean(line.raw, &row.record, &rejection)) {
      row.record.ingested_at = line.ingested_at;
      row.partition = line.partition;
      row.offset = line.offset;
      if (!sinks::RenderWarehouseRowForms(&row)) {
        return Status::Internal("the cleaner accepted unique_id '" + row.record.unique_id + "', not a UUID");
      }
      if (render_zone) {
        AppendCleanZoneLine(row, &chunk->zone_text);
        chunk->zone_text.push_back('\n');
        chunk->zone_line_ends.push_back(static_cast<uint32_t>(chunk->zone_text.size()));
      }
      ++used;
    } else {
      chunk->rejects.push_back({std::string(pin::RejectReasonName(rejection.reason)), rejection.field,
                                rejection.detail, ToValidUtf8(line.raw), line.partition, line.offset,
                                line.ingested_at});
    }
  }
  while (chunk->rows.size() > used) {
    chunk->spare_rows.push_back(std::move(chunk->rows.back()));
    chunk->rows.pop_back();
  }
  return Status::Ok();
}

Status ObjectOrderCheck::Next(const BatchChunk& chunk, const RawObjectTask& task) {
  const lake::RawObjectKey& key = task.parsed;
  if (chunk.first_offset >= 0) {  // the chunk has lines
    if (!any_ && chunk.first_offset != key.first_offset) {
      return LineError(chunk.first_line, "offset " + std::to_string(chunk.first_offset) +
                                             " out of order or outside the key's range (the key starts at " +
                                             std::to_string(key.first_offset) + ")");
    }
    if (any_ && chunk.first_offset <= previous_) {
      return LineError(chunk.first_line, "offset " + std::to_string(chunk.first_offset) +
                                             " out of order or outside the key's range");
    }
    any_ = true;
    previous_ = chunk.last_offset;
  }
  if (!chunk.last) return Status::Ok();
  bool any = any_;
  int64_t previous = previous_;
  *this = ObjectOrderCheck();
  if (!any) return Status::Corruption("object holds no records");
  if (previous != key.last_offset) {
    return Status::Corruption("object ends at offset " + std::to_string(previous) + ", its key says " +
                              std::to_string(key.last_offset));
  }
  return Status::Ok();
}

}  // namespace pinpipe::jobs
