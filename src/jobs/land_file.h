// One raw lake object being built by `land`: the landed lines of one
// partition and one hour, offsets first..last, zstd-compressed as they come.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lake/key_layout.h"
#include "lake/zstd_codec.h"

namespace pinpipe::jobs {

// Owned by one thread. Lifecycle: Start -> Add... -> Seal -> (Put elsewhere)
// -> Clear; reusable (the compressor is kept across objects).
class LandFile {
 public:
  explicit LandFile(int zstd_level) : compressor_(zstd_level) {}

  bool open() const { return open_; }
  bool sealed() const { return sealed_.has_value(); }

  // REQUIRES: !open().
  void Start(lake::LakeHour hour, int64_t first_offset, int64_t opened_at_monotonic);
  // Appends one record's line. REQUIRES: open() && !sealed(), offset > last.
  void Add(UnixMicros ingested_at, int32_t partition, int64_t offset, std::string_view raw);
  // Finishes the zstd frame; the object is then ready to Put. Idempotent.
  const std::string& Seal();
  // Forgets the object (after a successful Put).
  void Clear();

  lake::LakeHour hour() const { return hour_; }
  int64_t first_offset() const { return first_offset_; }
  int64_t last_offset() const { return last_offset_; }
  int64_t opened_at() const { return opened_at_; }
  int64_t records() const { return records_; }
  uint64_t uncompressed_bytes() const { return uncompressed_; }

 private:
  void Drain();  // moves pending_ into the compressor

  lake::ZstdCompressor compressor_;
  bool open_ = false;
  lake::LakeHour hour_;
  int64_t first_offset_ = 0;
  int64_t last_offset_ = 0;
  int64_t opened_at_ = 0;
  int64_t records_ = 0;
  uint64_t uncompressed_ = 0;
  std::string pending_;  // lines not yet handed to the compressor
  std::optional<std::string> sealed_;
};

}  // namespace pinpipe::jobs
