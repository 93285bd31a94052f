// Cuts a byte stream into chunks of whole lines for parallel cleaning. (Lines
// are counted by whoever splits the chunk, not here.) A line longer than the record limit is never held
// whole: its first kRejectRawLimit bytes become an "oversized" chunk and the
// rest is skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::pin {

struct LineChunk {
  bool oversized = false;  // bytes() is the head of one over-long line (one line)

  // Whole lines; the last may lack '\n' at end of input.
  std::string_view bytes() const { return {buffer.data(), size}; }

  // Storage reused across chunks: only the first `size` bytes are data, so
  // refilling never zero-fills (std::string::resize would).
  std::string buffer;
  size_t size = 0;
};

// Externally serialized. Borrows `input` for its lifetime.
class LineChunker {
 public:
  LineChunker(io::SequentialFile* input, size_t chunk_bytes, size_t max_record_bytes);

  // Fills *chunk (reusing its buffer) with the next lines; false at end of
  // input (chunk left empty).
  Result<bool> Next(LineChunk* chunk);
  int64_t bytes_read() const { return bytes_read_; }

 private:
  Status ReadMore(LineChunk* chunk, size_t bytes);
  Status SkipRestOfLine();

  io::SequentialFile* input_;
  size_t chunk_bytes_;
  size_t max_record_bytes_;
  std::string carry_;  // the partial line after the last chunk's final '\n'
  std::string skip_buffer_;  // sized once
  bool eof_ = false;
  int64_t bytes_read_ = 0;
};

}  // namespace pinpipe::pin
