// Where the emulator's records come from: the RecordGenerator (realistic
// raw pins) or an NDJSON file replayed line by line.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "emulate/record_generator.h"
#include "io/file_system.h"

namespace pinpipe::emulate {

// Externally serialized.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Appends the next record (no newline) to *out; false when there are no more.
  // An I/O error ends the source; status() then tells why.
  virtual bool Next(std::string* out) = 0;
  virtual Status status() const { return Status::Ok(); }
};

// Endless generated records.
std::unique_ptr<RecordSource> GeneratedRecords(const GeneratorOptions& options);

// Non-blank lines of an NDJSON file ('-' = stdin), each once, then the end.
// Lines are read in 1 MiB blocks, so any file size works.
Result<std::unique_ptr<RecordSource>> FileRecords(io::FileSystem* fs, const std::string& path);

}  // namespace pinpipe::emulate
