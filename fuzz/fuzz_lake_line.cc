// libFuzzer target for the landed-line codec (jobs/lake_line.h): the parser
// must never crash, hang or read out of bounds on any bytes, and whatever it
// accepts must survive a write + parse round trip unchanged. Any bytes used
// as a raw record must also come back byte-exact from a written line.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jobs/lake_line.h"

using pinpipe::jobs::AppendLakeLine;
using pinpipe::jobs::LakeLine;
using pinpipe::jobs::ParseLakeLine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  LakeLine parsed;
  std::string scratch;
  if (ParseLakeLine(input, &parsed, &scratch).ok()) {
    std::string again;
    AppendLakeLine(parsed.ingested_at, parsed.partition, parsed.offset, parsed.raw, &again);
    LakeLine second;
    std::string scratch2;
    if (!ParseLakeLine(again, &second, &scratch2).ok()) std::abort();
    if (second.ingested_at != parsed.ingested_at || second.partition != parsed.partition ||
        second.offset != parsed.offset || second.raw != parsed.raw) {
      std::abort();
    }
  }

  std::string line;
  AppendLakeLine(1'700'000'000'123'456, 7, 42, input, &line);
  if (line.find('\n') != std::string::npos) std::abort();  // one record, one line
  LakeLine back;
  std::string scratch3;
  if (!ParseLakeLine(line, &back, &scratch3).ok() || back.raw != input || back.offset != 42) std::abort();
  return 0;
}
