// LineChunker: reads whole blocks, cuts after the last '\n', carries the
// partial line into the next chunk.
#include "pin/line_chunker.h"

#include <algorithm>
#include <cstring>

#include "pin/pin.h"

namespace pinpipe::pin {
namespace {

void Reserve(LineChunk* chunk, size_t bytes) {
  if (chunk->buffer.size() < bytes) chunk->buffer.resize(std::max(bytes, 2 * chunk->buffer.size()));
}

}  // namespace

LineChunker::LineChunker(io::SequentialFile* input, size_t chunk_bytes, size_t max_record_bytes)
    : input_(input), chunk_bytes_(chunk_bytes), max_record_bytes_(max_record_bytes) {}

Status LineChunker::ReadMore(LineChunk* chunk, size_t bytes) {
  Reserve(chunk, chunk->size + bytes);
  PINPIPE_ASSIGN_OR_RETURN(size_t n, input_->Read({chunk->buffer.data() + chunk->size, bytes}));
  chunk->size += n;
  bytes_read_ += static_cast<int64_t>(n);
  if (n == 0) eof_ = true;
  return Status::Ok();
}

Status LineChunker::SkipRestOfLine() {
  skip_buffer_.resize(chunk_bytes_);
  while (!eof_) {
    PINPIPE_ASSIGN_OR_RETURN(size_t n, input_->Read({skip_buffer_.data(), skip_buffer_.size()}));
    bytes_read_ += static_cast<int64_t>(n);
    if (n == 0) {
      eof_ = true;
      break;
    }
    std::string_view got(skip_buffer_.data(), n);
    size_t nl = got.find('\n');
    if (nl != std::string_view::npos) {
      carry_.assign(got.substr(nl + 1));
      break;
    }
  }
  return Status::Ok();
}

Result<bool> LineChunker::Next(LineChunk* chunk) {
  Reserve(chunk, carry_.size());
  carry_.copy(chunk->buffer.data(), carry_.size());
  chunk->size = carry_.size();
  carry_.clear();
  chunk->oversized = false;
  size_t want = chunk_bytes_;
  for (;;) {
    if (!eof_ && chunk->size < want) {
      PINPIPE_RETURN_IF_ERROR(ReadMore(chunk, want - chunk->size));
      continue;
    }
    if (eof_) break;  // what is left is whole lines (the last maybe without '\n')
    size_t nl = chunk->bytes().rfind('\n');
    if (nl != std::string_view::npos) {
      carry_.assign(chunk->bytes().substr(nl + 1));
      chunk->size = nl + 1;
      break;
    }
    // No '\n' at all: the buffer is the start of one line.
    if (chunk->size > max_record_bytes_) {
      chunk->size = std::min(chunk->size, kRejectRawLimit);
      chunk->oversized = true;
      PINPIPE_RETURN_IF_ERROR(SkipRestOfLine());
      break;
    }
    want = chunk->size + chunk_bytes_;
  }
  return chunk->size > 0;
}

}  // namespace pinpipe::pin
