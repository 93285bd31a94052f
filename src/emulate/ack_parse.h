// Reads the ingest API's answers (docs/api.md) into counts: what the server
// accepted and rejected, where a single record went, which batch lines failed.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace pinpipe::emulate {

struct AckSummary {
  int64_t accepted = 0;
  int64_t rejected = 0;
  int32_t partition = -1;  // POST /pin 202 only
  int64_t offset = -1;
  std::vector<int64_t> rejected_lines;  // POST /pins: 1-based record numbers in the request
};

// For a 202 or 400 answer to a request of `records` records (`batch`: sent to
// /pins). Returns false for any other status or a body that is not the API's
// (the caller counts it as an HTTP error).
bool ParseAck(int status, std::string_view body, int64_t records, bool batch, AckSummary* out);

}  // namespace pinpipe::emulate
