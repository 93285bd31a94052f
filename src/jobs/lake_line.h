// One landed record as one NDJSON line of a raw lake object: the bus envelope
// plus the raw record bytes, byte-exact (docs/lake-layout.md):
//   {"ingested_at":"2026-11-26T10:00:00.123456Z","partition":3,"offset":17,"raw":"<JSON string>"}
// Raw bytes that are not valid UTF-8 go in "raw_base64" instead of "raw", so
// every line stays readable by `zstdcat | jq` and nothing is lost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace pinpipe::jobs {

struct LakeLine {
  UnixMicros ingested_at = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  // The raw record. After ParseLakeLine it points into the parsed line or
  // into the caller's scratch buffer, whichever held it.
  std::string_view raw;
};

// Appends the line for one record (no trailing newline).
void AppendLakeLine(UnixMicros ingested_at, int32_t partition, int64_t offset, std::string_view raw,
                    std::string* out);

// Parses one line. Keys may come in any order and unknown keys are skipped,
// so later writers can add fields; ingested_at, partition, offset and exactly
// one of raw / raw_base64 are required. `scratch` receives decoded raw bytes
// when they had to be unescaped; out->raw may point into `line` or `scratch`.
// kCorruption, with what was wrong, for anything else.
Status ParseLakeLine(std::string_view line, LakeLine* out, std::string* scratch);

// UTF-8 helpers shared by the landed-line codec and the reject path.
bool IsValidUtf8(std::string_view s);
// `s` with each invalid byte replaced by U+FFFD (s itself when valid).
std::string ToValidUtf8(std::string_view s);

}  // namespace pinpipe::jobs
