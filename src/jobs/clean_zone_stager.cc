// CleanZoneStager: places on the loader thread, compression on its own.
#include "jobs/clean_zone_stager.h"

#include <algorithm>

#include "core/log.h"
#include "jobs/batch_plan.h"
#include "lake/key_layout.h"

namespace pinpipe::jobs {
namespace {

constexpr size_t kQueuedParts = 4;  // window parts waiting for the compressor
constexpr size_t kFreeTexts = 8;

}  // namespace

CleanZoneStager::CleanZoneStager(lake::ObjectStore* store, CleanZoneOptions options, int64_t window_rows,
                                 size_t window_bytes)
    : store_(store), options_(std::move(options)), window_rows_(window_rows), window_bytes_(window_bytes) {}

CleanZoneStager::~CleanZoneStager() { StopCompressing(/*drain=*/false); }

Status CleanZoneStager::Start() {
  PINPIPE_RETURN_IF_ERROR(
      store_->RemoveStrayUploads(lake::CleanDatePrefix(options_.dataset, options_.date)).status());
  compressor_ = std::jthread([this] { Compress(); });
  return Status::Ok();
}

void CleanZoneStager::StopCompressing(bool drain) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    if (!drain) queue_.clear();
    cv_.notify_all();
  }
  if (compressor_.joinable()) compressor_.join();
}

void CleanZoneStager::GiveUp(std::string why) {
  core::Log("batch").info("event=clean_zone_after_commit dt={} why=\"{}\"", options_.date, why);
  gave_up_ = std::move(why);
  window_.clear();
  window_text_bytes_ = 0;
  StopCompressing(/*drain=*/false);
  parts_.clear();  // discards the uploads
}

Status CleanZoneStager::Add(BatchChunk& chunk, std::span<const int64_t> places) {
  const size_t rows = chunk.rows.size();
  PINPIPE_CHECK(places.size() == rows);
  if (!gave_up_.empty()) {
    for (int64_t place : places) lines_ = std::max(lines_, place + 1);
    return Status::Ok();
  }
  PINPIPE_CHECK(chunk.zone_line_ends.size() == rows);
  WindowPart part;
  part.first = lines_;
  part.versions.reserve(rows);
  std::vector<std::pair<size_t, int64_t>> again;  // (row, place) of ids loaded before
  for (size_t i = 0; i < rows; ++i) {
    const sinks::WarehouseRowView& row = chunk.rows[i];
    // New ids take the next places in row order; an id seen before keeps its place.
    if (places[i] != lines_) {
      PINPIPE_CHECK(places[i] < lines_);
      if (again.empty()) {
        for (size_t k = 0; k < i; ++k) part.kept_rows.push_back(static_cast<uint32_t>(k));
      }
      again.emplace_back(i, places[i]);
      continue;
    }
    ++lines_;
    if (!again.empty()) part.kept_rows.push_back(static_cast<uint32_t>(i));
    part.versions.push_back({row.ingested_at, row.partition, row.offset});
  }
  // The window takes the chunk's text and gives it a used buffer back.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    part.text = std::move(chunk.zone_text);
    chunk.zone_text.clear();
    if (!free_texts_.empty()) {
      chunk.zone_text = std::move(free_texts_.back());
      free_texts_.pop_back();
    }
  }
  part.ends = chunk.zone_line_ends;

  for (auto [i, place] : again) {
    if (place < part.first && (window_.empty() || place < window_.front().first)) {
      GiveUp("unique_id " + std::string(chunk.rows[i].unique_id) + " has a version " + std::to_string(lines_ - place) +
             " lines after its first, beyond the clean zone's window");
      return Status::Ok();
    }
    WindowPart* holder = &part;
    if (place < part.first) {
      auto at = std::upper_bound(window_.begin(), window_.end(), place,
                                 [](int64_t p, const WindowPart& w) { return p < w.first; });
      holder = &*std::prev(at);  // parts in the window are never empty
    }
    size_t line = static_cast<size_t>(place - holder->first);
    const sinks::WarehouseRowView& row = chunk.rows[i];
    Version candidate{row.ingested_at, row.partition, row.offset};
    // Newest wins, in the order the warehouse keeps (sinks::IsNewer).
    if (candidate.Key() > holder->versions[line].Key()) {
      holder->versions[line] = candidate;
      size_t from = i == 0 ? 0 : part.ends[i - 1];
      holder->replaced[static_cast<uint32_t>(line)] = std::string_view(part.text).substr(from, part.ends[i] - from);
    }
  }
  if (part.lines() > 0) {
    window_text_bytes_ += part.text.size();
    window_.push_back(std::move(part));
  }
  // Keep window_rows lines open, and no more than window_bytes of text.
  // The window's parts hold places window_.front().first .. lines_ - 1.
  while (!window_.empty() &&
         (lines_ - window_.front().first - static_cast<int64_t>(window_.front().lines()) >= window_rows_ ||
          window_text_bytes_ > window_bytes_)) {
    PINPIPE_RETURN_IF_ERROR(Evict());
  }
  return Status::Ok();
}

Status CleanZoneStager::Evict(bool wait) {
  WindowPart part = std::move(window_.front());
  window_.pop_front();
  window_text_bytes_ -= part.text.size();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !error_.ok() || !wait || queue_.size() < kQueuedParts; });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(part));
  cv_.notify_all();
  return Status::Ok();
}

std::string_view CleanZoneStager::PartLines(const WindowPart& part, std::string* scratch) {
  // Usually every row is kept with the line it came with: the text as is.
  if (part.kept_rows.empty() && part.replaced.empty()) return part.text;
  auto row_of = [&](size_t line) { return part.kept_rows.empty() ? line : part.kept_rows[line]; };
  auto begin_of = [&](size_t row) { return row == 0 ? size_t{0} : size_t{part.ends[row - 1]}; };
  scratch->clear();
  auto next_replaced = part.replaced.begin();
  for (size_t line = 0; line < part.lines(); ++line) {
    if (next_replaced != part.replaced.end() && next_replaced->first == line) {
      scratch->append(next_replaced->second);
      ++next_replaced;
      continue;
    }
    size_t row = row_of(line);
    scratch->append(std::string_view(part.text).substr(begin_of(row), part.ends[row] - begin_of(row)));
  }
  return *scratch;
}

void CleanZoneStager::Compress() {
  LowerThisThreadsPriority();
  lake::ZstdCompressor compressor(options_.zstd_level);
  std::string scratch;  // a part's lines when some were dropped or replaced
  for (;;) {
    WindowPart part;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      part = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    Status st;
    if (part.lines() > 0) {
      st = AppendFrame(compressor.CompressWhole(PartLines(part, &scratch)), static_cast<int64_t>(part.lines()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!st.ok()) {
      error_ = st;
      queue_.clear();
      cv_.notify_all();
      return;
    }
    if (free_texts_.size() < kFreeTexts) {
      part.text.clear();
      free_texts_.push_back(std::move(part.text));
    }
  }
}

Status CleanZoneStager::AppendFrame(std::string_view frame, int64_t rows) {
  if (parts_.empty() || part_rows_ >= options_.part_rows) {
    if (!parts_.empty()) PINPIPE_RETURN_IF_ERROR(parts_.back()->Seal());
    PINPIPE_ASSIGN_OR_RETURN(
        auto upload,
        store_->StartUpload(lake::CleanPartKey(options_.dataset, options_.date, static_cast<int>(parts_.size()))));
    parts_.push_back(std::move(upload));
    part_rows_ = 0;
  }
  PINPIPE_RETURN_IF_ERROR(parts_.back()->Append(frame));
  part_rows_ += rows;
  staged_ += rows;
  return Status::Ok();
}

void CleanZoneStager::EndLoad() {
  // The window's lines are in memory already; queueing them all costs none.
  while (!window_.empty() && Evict(/*wait=*/false).ok()) {
  }
}

Result<int64_t> CleanZoneStager::Finish() {
  PINPIPE_CHECK(gave_up_.empty());
  EndLoad();
  StopCompressing(/*drain=*/true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    PINPIPE_RETURN_IF_ERROR(error_);
  }
  if (!parts_.empty()) PINPIPE_RETURN_IF_ERROR(parts_.back()->Seal());
  return staged_;
}

Result<CleanZoneStats> CleanZoneStager::Publish() {
  const std::string prefix = lake::CleanDatePrefix(options_.dataset, options_.date);
  PINPIPE_RETURN_IF_ERROR(store_->Delete(lake::CleanSuccessKey(options_.dataset, options_.date)));
  PINPIPE_ASSIGN_OR_RETURN(std::vector<lake::ObjectInfo> old_objects, store_->List(prefix));
  CleanZoneStats stats;
  for (auto& part : parts_) {
    PINPIPE_RETURN_IF_ERROR(part->Publish());
    ++stats.objects;
    stats.bytes += part->size();
  }
  stats.rows = staged_;
  PINPIPE_RETURN_IF_ERROR(CompleteCleanZone(store_, options_, old_objects, stats.objects));
  parts_.clear();
  return stats;
}

}  // namespace pinpipe::jobs
