// libFuzzer target for reading lake objects' lines (lake/zstd_codec.h): on
// any bytes, the batch-pulling ZstdLineReader must never crash or hang and
// must agree, on every line and on success or failure, with the plain
// reading (ZstdDecompressAll, then split); the first input byte picks the
// batch's line and byte limits and a (small) line limit so every edge is
// reached. The input itself, compressed, must read back intact.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lake/zstd_codec.h"

using pinpipe::lake::ZstdCompressAll;
using pinpipe::lake::ZstdDecompressAll;
using pinpipe::lake::ZstdLineReader;

// Every line with its '\n' (one added to a final unterminated line), or the
// error code.
static std::string ByReader(std::string_view compressed, size_t batch, size_t max_bytes, size_t max_line,
                            int* code) {
  ZstdLineReader reader(compressed, max_line);
  std::string all;
  for (;;) {
    std::string text;
    auto got = reader.Read(batch, &text, max_bytes);
    if (!got.ok()) {
      *code = static_cast<int>(got.status().code());
      return all;
    }
    if (*got > batch) std::abort();
    if (*got == 0) {
      if (!text.empty()) std::abort();
      *code = 0;
      return all;
    }
    if (text.empty() || text.back() != '\n') std::abort();
    all += text;
  }
}

// The same from the whole decompressed text, or the error code.
static std::string ByWholeText(std::string_view compressed, size_t max_line, int* code) {
  auto text = ZstdDecompressAll(compressed);
  if (!text.ok()) {
    *code = static_cast<int>(text.status().code());
    return {};
  }
  std::string all;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (line.size() > max_line) {
      *code = static_cast<int>(pinpipe::StatusCode::kCorruption);
      return all;
    }
    all.append(line);
    all.push_back('\n');
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  *code = 0;
  return all;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t batch = 1 + data[0] % 8;
  const size_t max_bytes = (data[0] & 0x40) != 0 ? 1 + data[0] % 16 : SIZE_MAX;
  const size_t max_line = data[0] >= 128 ? 1 + data[0] % 64 : 64u << 20;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  int reader_code = 0, whole_code = 0;
  std::string by_reader = ByReader(input, batch, max_bytes, max_line, &reader_code);
  std::string by_whole = ByWholeText(input, max_line, &whole_code);
  if (reader_code != whole_code) std::abort();
  if (reader_code == 0 && by_reader != by_whole) std::abort();

  std::string frame = ZstdCompressAll(input, 1);
  int code = 0;
  std::string back = ByReader(frame, batch, max_bytes, 64u << 20, &code);
  std::string expected(input);
  if (!expected.empty() && expected.back() != '\n') expected.push_back('\n');
  if (code != 0 || back != expected) std::abort();
  return 0;
}
