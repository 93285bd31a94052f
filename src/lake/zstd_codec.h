// zstd framing for lake objects: NDJSON compressed as a stream into memory
// (one frame per object, with zstd's content checksum so a damaged object is
// detected), and decompression back into lines. `zstdcat` reads the objects.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace pinpipe::lake {

// Streams bytes into one zstd frame held in memory. Owned by one thread;
// reusable: Finish() returns the frame and starts the next one.
class ZstdCompressor {
 public:
  // `level`: zstd level (1 fast .. 19 small; 3 is zstd's default).
  explicit ZstdCompressor(int level = 3);
  ~ZstdCompressor();
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  void Append(std::string_view data);
  // Ends the frame and returns it (moves the buffer out); the compressor is
  // then empty and ready for a new frame.
  std::string Finish();
  // One whole frame of `data`, valid until the next call (REQUIRES: nothing
  // appended since the last Finish). zstd reads `data` in place rather than
  // copying it into its window as Append must, and the output buffer is
  // kept from call to call.
  std::string_view CompressWhole(std::string_view data);

  uint64_t input_bytes() const { return input_bytes_; }    // since the last Finish
  uint64_t output_bytes() const { return used_; }           // compressed so far (before Finish's tail)

 private:
  void Drive(std::string_view data, int mode);

  ZSTD_CCtx_s* cctx_;
  int level_;
  std::string out_;
  std::string whole_;  // CompressWhole's output
  size_t used_ = 0;  // bytes of out_ holding output
  uint64_t input_bytes_ = 0;
};

// Decompresses every frame in `compressed`, handing the output to `sink` in
// chunks (the view lives until sink returns). kCorruption for bytes that are
// not zstd, a failed checksum or a truncated frame; sink's error stops it.
Status ZstdDecompress(std::string_view compressed, const std::function<Status(std::string_view)>& sink);

// Pulls the lines of one compressed object a batch at a time, for readers
// that hand batches to other threads. The same checks as ZstdDecompress.
// Owned by one thread at a time; borrows `compressed`.
class ZstdLineReader {
 public:
  explicit ZstdLineReader(std::string_view compressed, size_t max_line_bytes = 64u << 20);
  ZstdLineReader(std::string&&, size_t = 0) = delete;  // it would outlive the bytes it reads
  ~ZstdLineReader();
  ZstdLineReader(const ZstdLineReader&) = delete;
  ZstdLineReader& operator=(const ZstdLineReader&) = delete;

  // Appends up to `max_lines` whole lines to *text, each ending in '\n' (a
  // final unterminated line gets one), stopping early once the lines
  // appended reach `max_bytes`; returns how many: 0 only at the end.
  // kCorruption as ZstdDecompress, or for a line over max_line_bytes.
  Result<size_t> Read(size_t max_lines, std::string* text, size_t max_bytes = SIZE_MAX);
  int64_t lines_read() const { return lines_; }

 private:
  // Decompresses more after end_; false when the data is used up.
  Result<bool> Fill();

  ZSTD_DCtx_s* dctx_;
  std::string_view compressed_;
  size_t in_pos_ = 0;
  size_t pending_ = 1;  // what the decoder last said it still needs; 0: frame done
  size_t max_line_bytes_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, begin_ = 0, end_ = 0;  // decompressed bytes not yet returned: [begin_, end_)
  int64_t lines_ = 0;
};

// Calls `fn(line, line_number)` for each '\n'-terminated line of the
// decompressed text (numbered from 1, the newline not included); a final
// unterminated line is passed too. Lines longer than `max_line_bytes` are
// kCorruption. The view lives until fn returns. (ZstdLineReader in a loop.)
Status ZstdForEachLine(std::string_view compressed,
                       const std::function<Status(std::string_view line, int64_t line_number)>& fn,
                       size_t max_line_bytes = 64u << 20);

// Convenience for small objects and tests: the whole decompressed text.
Result<std::string> ZstdDecompressAll(std::string_view compressed);
// Convenience: one frame of `data`.
std::string ZstdCompressAll(std::string_view data, int level = 3);

}  // namespace pinpipe::lake
