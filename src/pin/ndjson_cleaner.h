// `pinpipe clean` as a library call: NDJSON in, clean NDJSON and reject
// NDJSON out, in input order. Chunks of whole lines are cleaned in parallel
// with a bounded number in flight, so memory stays flat for any input size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "io/file_system.h"
#include "pin/pin.h"

namespace pinpipe::pin {

struct NdjsonCleanOptions {
  int threads = 0;                        // cleaning threads; 0 = one per core
  size_t chunk_bytes = 1 << 20;           // input handed to a thread at once
  int max_chunks_in_flight = 0;           // 0 = 2 × threads + 2; bounds memory
  size_t max_record_bytes = 1 << 20;      // longer lines are rejected (invalid_json)
};

// Clean fields that can be null (or empty, for tag_list), for null counts.
enum class CleanField : uint8_t {
  kInd, kTitle, kDescription, kPosterName, kFollowerCount, kTagList, kIsVideo, kMediaType,
  kImageSrc, kDownloaded, kSaveLocation, kCategory
};
inline constexpr int kCleanFieldCount = 12;
// "ind", "title", … as in the clean schema.
std::string_view CleanFieldName(CleanField field);

struct NdjsonCleanStats {
  int64_t lines = 0;        // input lines, blank ones included
  int64_t blank_lines = 0;  // skipped
  int64_t records_in = 0;   // non-blank lines
  int64_t records_out = 0;  // clean lines written
  std::array<int64_t, kRejectReasonCount> rejected{};  // by RejectReason
  std::array<int64_t, kCleanFieldCount> nulls{};       // by CleanField, over records_out
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;  // clean output only

  int64_t RejectedTotal() const;
  void Add(const NdjsonCleanStats& other);
};

// Reads `input` to its end and writes one clean line per accepted record to
// `output` and one reject line (AppendRejectJson, 1-based line numbers) per
// rejected record to `rejects`, both in input order. Blank lines are
// skipped. Starts options.threads worker threads and joins them before
// returning. Errors: the first read or write failure (nothing more is
// written after it). The caller closes the files.
Result<NdjsonCleanStats> CleanNdjson(io::SequentialFile* input, io::WritableFile* output,
                                     io::WritableFile* rejects, const NdjsonCleanOptions& options);

}  // namespace pinpipe::pin
