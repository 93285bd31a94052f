// Parse landed line -> check against the key -> clean -> render the clean zone.
#include "jobs/batch_reader.h"

#include "jobs/batch_clean_zone.h"
#include "jobs/lake_line.h"
#include "pin/packed_uuid.h"

namespace pinpipe::jobs {
namespace {

Status LineError(int64_t line_number, std::string_view what) {
  return Status::Corruption("line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

Status ReadLineBatch(const LineBatch& batch, const RawObjectTask& task, pin::CleanViewer* viewer,
                     BatchChunk* chunk) {
  using TextRef = BatchChunk::TextRef;
  const lake::RawObjectKey& key = task.parsed;
  chunk->rows.clear();
  chunk->rejects.clear();
  chunk->raw_records = 0;
  chunk->overlap_skipped = 0;
  chunk->last = batch.last;
  chunk->first_line = batch.first_line;
  chunk->first_offset = chunk->last_offset = -1;
  chunk->zone_text.clear();
  chunk->zone_line_ends.clear();
  chunk->side_text.clear();
  chunk->text_refs.clear();
  // The rows point into these two texts and the chunk then moves from
  // thread to thread. A std::string moves a heap buffer along (constant
  // time) but copies a short text kept inside the object, which would leave
  // the views behind; so both stay on the heap.
  constexpr size_t kOnTheHeap = 64;  // past any string's inline capacity
  if (chunk->zone_text.capacity() < kOnTheHeap) chunk->zone_text.reserve(kOnTheHeap);
  if (chunk->side_text.capacity() < kOnTheHeap) chunk->side_text.reserve(kOnTheHeap);
  std::string& zone = chunk->zone_text;
  LakeLine line;
  std::string scratch;
  std::string stamp;  // ingested_at's text
  pin::Rejection rejection;
  pin::CleanView view;
  pin::CleanJsonLayout layout;
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
    if (!viewer->View(line.raw, &view, &rejection)) {
      chunk->rejects.push_back({std::string(pin::RejectReasonName(rejection.reason)), rejection.field,
                                rejection.detail, ToValidUtf8(line.raw), line.partition, line.offset,
                                line.ingested_at});
      continue;
    }
    sinks::WarehouseRowView& row = chunk->rows.emplace_back();
    pin::PackedUuid id;
    if (!pin::PackUuid(view.unique_id, &id)) {
      return Status::Internal("the cleaner accepted unique_id '" + std::string(view.unique_id) + "', not a UUID");
    }
    row.packed_id = id;
    row.ind = view.ind;
    row.follower_count = view.follower_count;
    row.is_video = view.is_video;
    row.downloaded = view.downloaded;
    row.ingested_at = line.ingested_at;
    row.partition = line.partition;
    row.offset = line.offset;

    // The line is the rows' storage: a value its JSON holds byte for byte
    // is pointed at there, any other value is copied to side_text.
    const size_t line_start = zone.size();
    stamp.clear();
    AppendRfc3339Micros(line.ingested_at, &stamp);
    pin::AppendCleanViewJson(view, stamp, &zone, &layout);
    const size_t object_end = zone.size();
    EndCleanZoneLine(line.partition, line.offset, &zone);
    zone.push_back('\n');
    chunk->zone_line_ends.push_back(static_cast<uint32_t>(zone.size()));

    auto& refs = chunk->text_refs.emplace_back();
    auto place = [&](pin::CleanText t, std::string_view value) {
      auto [first, second] = layout.tokens[t];
      if (value.empty()) {
        refs[t] = {};  // the cleaner's empty is null
      } else if (second - first == value.size() + 2) {
        refs[t] = {static_cast<uint32_t>(line_start + first + 1), static_cast<uint32_t>(value.size()), TextRef::kZone};
      } else {
        refs[t] = {static_cast<uint32_t>(chunk->side_text.size()), static_cast<uint32_t>(value.size()), TextRef::kSide};
        chunk->side_text.append(value);
      }
    };
    place(pin::kUniqueIdText, view.unique_id);
    place(pin::kTitleText, view.title);
    place(pin::kDescriptionText, view.description);
    place(pin::kPosterNameText, view.poster_name);
    place(pin::kMediaTypeText, view.media_type);
    place(pin::kImageSrcText, view.image_src);
    place(pin::kSaveLocationText, view.save_location);
    place(pin::kCategoryText, view.category);
    // The array as written is the stored form; ingested_at's text closes the object.
    auto [tags_first, tags_second] = layout.tokens[pin::kTagListText];
    refs[pin::kTagListText] = {static_cast<uint32_t>(line_start + tags_first), tags_second - tags_first,
                               TextRef::kZone};
    refs[BatchChunk::kIngestedAtRef] = {static_cast<uint32_t>(object_end - 2 - stamp.size()),
                                  static_cast<uint32_t>(stamp.size()), TextRef::kZone};
    if (zone.size() > UINT32_MAX || chunk->side_text.size() > UINT32_MAX) {
      // Refs and line ends are 32-bit; a batch's lines are a few MB.
      return Status::Internal("line " + std::to_string(n) + ": the batch's clean text passed 4 GiB");
    }
  }
  // The texts stop moving here: point the rows at them.
  for (size_t i = 0; i < chunk->rows.size(); ++i) {
    const auto& refs = chunk->text_refs[i];
    auto text = [&](size_t t) -> std::optional<std::string_view> {
      const TextRef& ref = refs[t];
      if (ref.where == TextRef::kNull) return std::nullopt;
      const std::string& from = ref.where == TextRef::kZone ? chunk->zone_text : chunk->side_text;
      return std::string_view(from).substr(ref.begin, ref.size);
    };
    sinks::WarehouseRowView& row = chunk->rows[i];
    row.unique_id = *text(pin::kUniqueIdText);
    row.title = text(pin::kTitleText);
    row.description = text(pin::kDescriptionText);
    row.poster_name = text(pin::kPosterNameText);
    row.tag_list_json = *text(pin::kTagListText);
    row.media_type = text(pin::kMediaTypeText);
    row.image_src = text(pin::kImageSrcText);
    row.save_location = text(pin::kSaveLocationText);
    row.category = text(pin::kCategoryText);
    row.ingested_at_text = *text(BatchChunk::kIngestedAtRef);
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
