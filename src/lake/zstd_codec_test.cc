#include "lake/zstd_codec.h"

#include <gtest/gtest.h>

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
  std::string frame = ZstdCompressAll(std::string(5000, 'x'));
  Status st = ZstdForEachLine(frame, [](std::string_view, int64_t) { return Status::Ok(); }, 1000);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
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
