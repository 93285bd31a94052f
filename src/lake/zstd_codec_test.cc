#include "lake/zstd_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace pinpipe::lake {
namespace {

std::string Lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 50, 'p') + "\"}\n";
  return out;
}

TEST(ZstdCodecTest, StreamedFrameRoundTrips) {
  std::string text = Lines(20000);
  ZstdCompressor c(3);
  for (size_t i = 0; i < text.size(); i += 777) c.Append(std::string_view(text).substr(i, 777));
  EXPECT_EQ(c.input_bytes(), text.size());
  std::string frame = c.Finish();
  EXPECT_LT(frame.size(), text.size() / 4);
  auto back = ZstdDecompressAll(frame);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
  // Reusable after Finish.
  c.Append("second\n");
  EXPECT_EQ(*ZstdDecompressAll(c.Finish()), "second\n");
}

TEST(ZstdCodecTest, WholeFramesRoundTripAndTheStreamStaysUsable) {
  ZstdCompressor c(1);
  std::string big = Lines(20000);
  for (const std::string& text : {big, std::string(), std::string("one\n"), big.substr(0, 1000)}) {
    std::string frame(c.CompressWhole(text));
    auto back = ZstdDecompressAll(frame);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, text);
  }
  EXPECT_LT(std::string(c.CompressWhole(big)).size(), big.size() / 4);
  c.Append("streamed\n");
  EXPECT_EQ(*ZstdDecompressAll(c.Finish()), "streamed\n");
  EXPECT_EQ(*ZstdDecompressAll(std::string(c.CompressWhole("after\n"))), "after\n");
}

TEST(ZstdCodecTest, ForEachLineSeesEveryLineAcrossChunks) {
  std::string text = Lines(50000) + "tail-without-newline";
  std::vector<std::string> lines;
  Status st = ZstdForEachLine(ZstdCompressAll(text), [&](std::string_view line, int64_t n) {
    EXPECT_EQ(n, static_cast<int64_t>(lines.size()) + 1);
    lines.emplace_back(line);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(lines.size(), 50001u);
  EXPECT_EQ(lines[0], "{\"n\":0,\"pad\":\"\"}");
  EXPECT_EQ(lines.back(), "tail-without-newline");
}

// Everything a line reader returns, in batches of `n` lines.
Result<std::string> ReadAllLines(std::string_view compressed, size_t n, std::vector<size_t>* sizes = nullptr,
                                 size_t max_line_bytes = 64u << 20) {
  ZstdLineReader reader(compressed, max_line_bytes);
  std::string all;
  for (;;) {
    std::string batch;
    PINPIPE_ASSIGN_OR_RETURN(size_t got, reader.Read(n, &batch));
    if (got == 0) return all;
    EXPECT_LE(got, n);
    EXPECT_EQ(static_cast<size_t>(std::count(batch.begin(), batch.end(), '\n')), got);
    EXPECT_EQ(batch.back(), '\n');
    if (sizes != nullptr) sizes->push_back(got);
    all += batch;
  }
}

TEST(ZstdCodecTest, LineReaderGivesWholeLinesInBatchesAcrossChunksAndFrames) {
  std::string text = Lines(50000) + "tail-without-newline";
  for (size_t n : {1u, 7u, 4096u, 100000u}) {
    std::vector<size_t> sizes;
    auto all = ReadAllLines(ZstdCompressAll(text), n, &sizes);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(*all, text + "\n") << n;
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), size_t{0}), 50001u);
    for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], n);
  }
  auto frames = ReadAllLines(ZstdCompressAll("a\nb") + ZstdCompressAll("c\n") + ZstdCompressAll(""), 2);
  ASSERT_TRUE(frames.ok());
  EXPECT_EQ(*frames, "a\nbc\n");
  auto empty_text = ReadAllLines(ZstdCompressAll(""), 5);
  ASSERT_TRUE(empty_text.ok());
  EXPECT_EQ(*empty_text, "");
}

TEST(ZstdCodecTest, LineReaderStopsABatchOnceItHoldsMaxBytes) {
  std::string line = std::string(99, 'x') + "\n";
  std::string text;
  for (int i = 0; i < 10; ++i) text += line;
  const std::string compressed = ZstdCompressAll(text);
  ZstdLineReader reader(compressed);
  std::vector<size_t> sizes;
  std::string all;
  for (;;) {
    std::string batch;
    auto got = reader.Read(100, &batch, 250);
    ASSERT_TRUE(got.ok());
    if (*got == 0) break;
    sizes.push_back(*got);
    all += batch;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));  // 300 bytes reach 250
  EXPECT_EQ(all, text);
  ZstdLineReader one(compressed);
  std::string batch;
  EXPECT_EQ(*one.Read(100, &batch, 1), 1u);  // always at least one line
}

TEST(ZstdCodecTest, LineReaderFindsDamageTruncationAndOverlongLines) {
  std::string frame = ZstdCompressAll(Lines(1000));
  EXPECT_EQ(ReadAllLines(frame.substr(0, frame.size() / 2), 10).status().code(), StatusCode::kCorruption);
  std::string flipped = frame;
  flipped[flipped.size() / 2] ^= 0x55;
  EXPECT_EQ(ReadAllLines(flipped, 10).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadAllLines("not zstd at all", 10).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadAllLines("", 10).status().code(), StatusCode::kCorruption);
  for (std::string tail : {std::string(5000, 'x'), std::string(1001, 'x') + "\nok\n"}) {
    auto overlong = ReadAllLines(ZstdCompressAll("ok\n" + tail), 10, nullptr, 1000);
    EXPECT_EQ(overlong.status().code(), StatusCode::kCorruption);
    EXPECT_NE(overlong.status().message().find("line 2 is longer than 1000 bytes"), std::string::npos)
        << overlong.status().message();
  }
  EXPECT_TRUE(ReadAllLines(ZstdCompressAll(std::string(1000, 'x')), 10, nullptr, 1000).ok());
}

TEST(ZstdCodecTest, ConcatenatedFramesAreOneStream) {
  std::string frames = ZstdCompressAll("a\nb") + ZstdCompressAll("c\n");
  EXPECT_EQ(*ZstdDecompressAll(frames), "a\nbc\n");
}

TEST(ZstdCodecTest, DamageIsCorruption) {
  std::string frame = ZstdCompressAll(Lines(1000));
  EXPECT_EQ(ZstdDecompressAll(frame.substr(0, frame.size() / 2)).status().code(), StatusCode::kCorruption);
  std::string flipped = frame;
  flipped[flipped.size() / 2] ^= 0x55;
  EXPECT_EQ(ZstdDecompressAll(flipped).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ZstdDecompressAll("not zstd at all").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ZstdDecompressAll("").status().code(), StatusCode::kCorruption);
}

TEST(ZstdCodecTest, OverlongLineIsCorruption) {
  // Unterminated, terminated, and exactly at the limit (allowed).
  for (std::string text : {std::string(5000, 'x'), "a\n" + std::string(1001, 'x') + "\nb\n"}) {
    Status st = ZstdForEachLine(ZstdCompressAll(text), [](std::string_view, int64_t) { return Status::Ok(); }, 1000);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << text.size();
  }
  EXPECT_TRUE(ZstdForEachLine(ZstdCompressAll(std::string(1000, 'x') + "\n"),
                              [](std::string_view, int64_t) { return Status::Ok(); }, 1000)
                  .ok());
}

TEST(ZstdCodecTest, SinkErrorStopsDecompression) {
  std::string frame = ZstdCompressAll(Lines(100));
  int calls = 0;
  Status st = ZstdForEachLine(frame, [&](std::string_view, int64_t) {
    ++calls;
    return Status::Cancelled("stop");
  });
  EXPECT_EQ(st.code(), StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace pinpipe::lake
