// libFuzzer target for reading lake objects' lines (lake/zstd_codec.h): on
// any bytes, the batch-pulling ZstdLineReader must never crash or hang and
// must agree with ZstdForEachLine on every line and on success or failure;
// the first input byte picks the batch size and (small) line limit so both
// edges are reached. The input itself, compressed, must read back intact.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lake/zstd_codec.h"

using pinpipe::Status;
using pinpipe::lake::ZstdCompressAll;
using pinpipe::lake::ZstdForEachLine;
using pinpipe::lake::ZstdLineReader;

// Every line with its '\n' (one added to a final unterminated line), or the
// error code.
static std::string ByReader(std::string_view compressed, size_t batch, size_t max_line, int* code) {
  ZstdLineReader reader(compressed, max_line);
  std::string all;
  for (;;) {
    std::string text;
    auto got = reader.Read(batch, &text);
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

static std::string ByCallback(std::string_view compressed, size_t max_line, int* code) {
  std::string all;
  Status st = ZstdForEachLine(
      compressed,
      [&](std::string_view line, int64_t) {
        all.append(line);
        all.push_back('\n');
        return Status::Ok();
      },
      max_line);
  *code = static_cast<int>(st.code());
  return all;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t batch = 1 + data[0] % 8;
  const size_t max_line = data[0] >= 128 ? 1 + data[0] % 64 : 64u << 20;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  int reader_code = 0, callback_code = 0;
  std::string by_reader = ByReader(input, batch, max_line, &reader_code);
  std::string by_callback = ByCallback(input, max_line, &callback_code);
  if (reader_code != callback_code) std::abort();
  if (reader_code == 0 && by_reader != by_callback) std::abort();

  std::string frame = ZstdCompressAll(input, 1);
  int code = 0;
  std::string back = ByReader(frame, batch, 64u << 20, &code);
  std::string expected(input);
  if (!expected.empty() && expected.back() != '\n') expected.push_back('\n');
  if (code != 0 || back != expected) std::abort();
  return 0;
}
