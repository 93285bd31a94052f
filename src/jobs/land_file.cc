// Lines are batched before compression: one zstd call per ~256 KiB, not per record.
#include "jobs/land_file.h"

#include "core/check.h"
#include "jobs/lake_line.h"

namespace pinpipe::jobs {
namespace {
constexpr size_t kDrainBytes = 256 * 1024;
}  // namespace

void LandFile::Start(lake::LakeHour hour, int64_t first_offset, int64_t opened_at_monotonic) {
  PINPIPE_CHECK(!open_);
  open_ = true;
  hour_ = hour;
  first_offset_ = first_offset;
  last_offset_ = first_offset - 1;
  opened_at_ = opened_at_monotonic;
  records_ = 0;
  uncompressed_ = 0;
  pending_.clear();
  sealed_.reset();
}

void LandFile::Add(UnixMicros ingested_at, int32_t partition, int64_t offset, std::string_view raw) {
  PINPIPE_CHECK(open_ && !sealed_ && offset > last_offset_);
  size_t before = pending_.size();
  AppendLakeLine(ingested_at, partition, offset, raw, &pending_);
  pending_.push_back('\n');
  uncompressed_ += pending_.size() - before;
  last_offset_ = offset;
  ++records_;
  if (pending_.size() >= kDrainBytes) Drain();
}

void LandFile::Drain() {
  compressor_.Append(pending_);
  pending_.clear();
}

const std::string& LandFile::Seal() {
  PINPIPE_CHECK(open_ && records_ > 0);
  if (!sealed_) {
    Drain();
    sealed_ = compressor_.Finish();
  }
  return *sealed_;
}

void LandFile::Clear() {
  open_ = false;
  sealed_.reset();
  pending_.clear();  // keeps its capacity for the next object
}

}  // namespace pinpipe::jobs
