// Splits a POST /pins body into its records without parsing them: NDJSON
// (one record per line) or one JSON array of records. The records themselves
// are judged later by pin::Cleaner; only the framing is checked here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pinpipe::ingest {

enum class BatchFormat { kNdjson, kJsonArray };

// One record's bytes (a view into the body) and its 1-based number: the line
// number for NDJSON (blank lines count but yield no item), the element
// number for a JSON array.
struct BatchItem {
  std::string_view text;
  int64_t line = 0;
};

enum class SplitOutcome {
  kOk,
  kTooManyRecords,  // more than max_items records
  kBadFraming,      // a JSON array that is not closed, has an empty element, trailing bytes, ...
};

struct SplitResult {
  SplitOutcome outcome = SplitOutcome::kOk;
  std::string detail;  // for kBadFraming: what was wrong and where
};

// `s` without leading and trailing JSON whitespace (space, tab, CR, LF).
std::string_view TrimJsonSpace(std::string_view s);

// NDJSON unless `json_content_type` is true and the first non-whitespace
// byte is '[' (then a JSON array). A single JSON object sent as
// application/json is one NDJSON line.
BatchFormat SniffBatchFormat(std::string_view body, bool json_content_type);

// Appends the records of `body` to `*out` (cleared first). NDJSON: lines end
// at '\n', a trailing '\r' is dropped, lines of only spaces/tabs/'\r' are
// skipped. JSON array: elements are found by bracket depth outside strings;
// each element is trimmed of JSON whitespace.
SplitResult SplitBatchBody(std::string_view body, BatchFormat format, size_t max_items,
                           std::vector<BatchItem>* out);

}  // namespace pinpipe::ingest
