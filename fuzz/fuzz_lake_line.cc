// libFuzzer target for the landed-line codec (jobs/lake_line.h): the parser
// must never crash, hang or read out of bounds on any bytes, and whatever it
// accepts must survive a write + parse round trip unchanged. Any bytes used
// as a raw record must also come back byte-exact from a written line. A
// leading space sends a line past the writer-shape fast path to the general
// parser, which must agree with it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jobs/lake_line.h"

using pinpipe::jobs::AppendLakeLine;
using pinpipe::jobs::LakeLine;
using pinpipe::jobs::ParseLakeLine;
using pinpipe::Status;

static bool SameLine(const LakeLine& a, const LakeLine& b) {
  return a.ingested_at == b.ingested_at && a.partition == b.partition && a.offset == b.offset &&
         a.raw == b.raw;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  LakeLine parsed;
  std::string scratch;
  Status status = ParseLakeLine(input, &parsed, &scratch);
  std::string spaced = " " + std::string(input);  // general.raw may point into it
  LakeLine general;
  std::string general_scratch;
  Status general_status = ParseLakeLine(spaced, &general, &general_scratch);
  if (status.code() != general_status.code()) std::abort();
  if (status.ok() && !SameLine(parsed, general)) std::abort();
  if (status.ok()) {
    std::string again;
    AppendLakeLine(parsed.ingested_at, parsed.partition, parsed.offset, parsed.raw, &again);
    LakeLine second;
    std::string scratch2;
    if (!ParseLakeLine(again, &second, &scratch2).ok()) std::abort();
    if (!SameLine(second, parsed)) std::abort();
  }

  std::string line;
  AppendLakeLine(1'700'000'000'123'456, 7, 42, input, &line);
  if (line.find('\n') != std::string::npos) std::abort();  // one record, one line
  LakeLine back;
  std::string scratch3;
  if (!ParseLakeLine(line, &back, &scratch3).ok() || back.raw != input || back.offset != 42 ||
      back.partition != 7 || back.ingested_at != 1'700'000'000'123'456) {
    std::abort();
  }
  return 0;
}
