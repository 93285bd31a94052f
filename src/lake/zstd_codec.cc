// libzstd streaming API behind small helpers.
#include "lake/zstd_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace pinpipe::lake {
namespace {

Status ZstdError(size_t code, std::string_view what) {
  return Status::Corruption(std::string(what) + ": " + ZSTD_getErrorName(code));
}

Status LineTooLong(int64_t line_number, size_t max_line_bytes) {
  return Status::Corruption("line " + std::to_string(line_number) + " is longer than " +
                            std::to_string(max_line_bytes) + " bytes");
}

struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

ZstdCompressor::ZstdCompressor(int level) : cctx_(ZSTD_createCCtx()), level_(level) {
  PINPIPE_CHECK_MSG(cctx_ != nullptr, "ZSTD_createCCtx: out of memory");
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
}

ZstdCompressor::~ZstdCompressor() { ZSTD_freeCCtx(cctx_); }

void ZstdCompressor::Drive(std::string_view data, int mode) {
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  for (;;) {
    size_t want = ZSTD_CStreamOutSize();
    if (out_.size() - used_ < want) out_.resize(std::max(out_.size() * 2, used_ + want));
    ZSTD_outBuffer out{out_.data() + used_, out_.size() - used_, 0};
    size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, static_cast<ZSTD_EndDirective>(mode));
    // Only misuse (a bug) makes a compressing stream fail.
    PINPIPE_CHECK_MSG(!ZSTD_isError(remaining), ZSTD_getErrorName(remaining));
    used_ += out.pos;
    bool input_done = in.pos == in.size;
    if (mode == ZSTD_e_continue ? input_done : remaining == 0) break;
  }
}

void ZstdCompressor::Append(std::string_view data) {
  input_bytes_ += data.size();
  Drive(data, ZSTD_e_continue);
}

std::string ZstdCompressor::Finish() {
  Drive({}, ZSTD_e_end);
  out_.resize(used_);
  std::string frame = std::move(out_);
  out_.clear();
  used_ = 0;
  input_bytes_ = 0;
  return frame;
}

std::string_view ZstdCompressor::CompressWhole(std::string_view data) {
  PINPIPE_CHECK(used_ == 0 && input_bytes_ == 0);
  size_t bound = ZSTD_compressBound(data.size());
  if (whole_.size() < bound) whole_.resize(bound);  // zero-fills growth only
  size_t n = ZSTD_compress2(cctx_, whole_.data(), whole_.size(), data.data(), data.size());
  // The bound always fits, so only misuse (a bug) fails.
  PINPIPE_CHECK_MSG(!ZSTD_isError(n), ZSTD_getErrorName(n));
  return std::string_view(whole_.data(), n);
}

Status ZstdDecompress(std::string_view compressed, const std::function<Status(std::string_view)>& sink) {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  PINPIPE_CHECK_MSG(dctx != nullptr, "ZSTD_createDCtx: out of memory");
  std::string buf(ZSTD_DStreamOutSize() * 4, '\0');
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t last = 0;
  if (compressed.empty()) return Status::Corruption("empty zstd object");
  while (in.pos < in.size) {
    ZSTD_outBuffer out{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &out, &in);
    if (ZSTD_isError(last)) return ZstdError(last, "zstd");
    if (out.pos > 0) PINPIPE_RETURN_IF_ERROR(sink(std::string_view(buf.data(), out.pos)));
  }
  // Input used up: flush what the decoder still holds, then the last frame
  // must be complete.
  while (last != 0) {
    ZSTD_outBuffer out{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &out, &in);
    if (ZSTD_isError(last)) return ZstdError(last, "zstd");
    if (out.pos > 0) {
      PINPIPE_RETURN_IF_ERROR(sink(std::string_view(buf.data(), out.pos)));
      continue;
    }
    if (last != 0) return Status::Corruption("zstd: truncated frame");
  }
  return Status::Ok();
}

ZstdLineReader::ZstdLineReader(std::string_view compressed, size_t max_line_bytes)
    : dctx_(ZSTD_createDCtx()), compressed_(compressed), max_line_bytes_(max_line_bytes) {
  PINPIPE_CHECK_MSG(dctx_ != nullptr, "ZSTD_createDCtx: out of memory");
}

ZstdLineReader::~ZstdLineReader() { ZSTD_freeDCtx(dctx_); }

Result<bool> ZstdLineReader::Fill() {
  if (compressed_.empty()) return Status::Corruption("empty zstd object");
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t step = ZSTD_DStreamOutSize();
  if (cap_ - end_ < step) {
    size_t cap = std::max(cap_ * 2, end_ + step * 4);
    std::unique_ptr<char[]> grown(new char[cap]);  // not zeroed: only [0, end_) is ever read
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  for (;;) {
    if (in_pos_ == compressed_.size() && pending_ == 0) return false;
    ZSTD_inBuffer in{compressed_.data(), compressed_.size(), in_pos_};
    ZSTD_outBuffer out{buf_.get() + end_, cap_ - end_, 0};
    pending_ = ZSTD_decompressStream(dctx_, &out, &in);
    if (ZSTD_isError(pending_)) return ZstdError(pending_, "zstd");
    bool progressed = in.pos != in_pos_ || out.pos > 0;
    in_pos_ = in.pos;
    end_ += out.pos;
    if (out.pos > 0) return true;
    if (!progressed && pending_ != 0) return Status::Corruption("zstd: truncated frame");
  }
}

Result<size_t> ZstdLineReader::Read(size_t max_lines, std::string* text, size_t max_bytes) {
  size_t got = 0;
  size_t bytes = 0;  // appended by this call
  auto full = [&] { return got == max_lines || bytes >= max_bytes; };
  while (!full()) {
    const char* from = buf_.get() + begin_;
    const char* end = buf_.get() + end_;
    const char* stop = from;
    while (!full() && stop != end) {  // (stop is null before the first Fill)
      const void* nl = std::memchr(stop, '\n', static_cast<size_t>(end - stop));
      if (nl == nullptr) break;
      if (static_cast<size_t>(static_cast<const char*>(nl) - stop) > max_line_bytes_) {
        return LineTooLong(lines_ + static_cast<int64_t>(got) + 1, max_line_bytes_);
      }
      bytes += static_cast<size_t>(static_cast<const char*>(nl) + 1 - stop);
      stop = static_cast<const char*>(nl) + 1;
      ++got;
    }
    if (stop != from) {
      text->append(from, static_cast<size_t>(stop - from));
      begin_ += static_cast<size_t>(stop - from);
    }
    if (full()) break;
    if (end_ - begin_ > max_line_bytes_) return LineTooLong(lines_ + static_cast<int64_t>(got) + 1, max_line_bytes_);
    PINPIPE_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) {
      if (end_ > begin_) {
        text->append(buf_.get() + begin_, end_ - begin_);
        text->push_back('\n');
        begin_ = end_;
        ++got;
      }
      break;
    }
  }
  lines_ += static_cast<int64_t>(got);
  return got;
}

Status ZstdForEachLine(std::string_view compressed,
                       const std::function<Status(std::string_view, int64_t)>& fn, size_t max_line_bytes) {
  ZstdLineReader reader(compressed, max_line_bytes);
  std::string text;
  int64_t line_number = 0;
  for (;;) {
    text.clear();
    PINPIPE_ASSIGN_OR_RETURN(size_t got, reader.Read(1024, &text, 1u << 20));
    if (got == 0) return Status::Ok();
    std::string_view rest = text;
    while (!rest.empty()) {  // every line ends in '\n' here
      size_t nl = rest.find('\n');
      PINPIPE_RETURN_IF_ERROR(fn(rest.substr(0, nl), ++line_number));
      rest.remove_prefix(nl + 1);
    }
  }
}

Result<std::string> ZstdDecompressAll(std::string_view compressed) {
  std::string out;
  PINPIPE_RETURN_IF_ERROR(ZstdDecompress(compressed, [&](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  }));
  return out;
}

std::string ZstdCompressAll(std::string_view data, int level) {
  ZstdCompressor c(level);
  return std::string(c.CompressWhole(data));
}

}  // namespace pinpipe::lake
