// CleanNdjson over in-memory files: order and line numbers across many small
// chunks and threads, blank lines, a last line without '\n', over-long
// lines, and read/write failures.
#include "pin/ndjson_cleaner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace pinpipe::pin {
namespace {

// Hands out the data in pieces of varying size, as pipes do.
class StringInput final : public io::SequentialFile {
 public:
  explicit StringInput(std::string data, size_t fail_after = SIZE_MAX)
      : data_(std::move(data)), fail_after_(fail_after) {}
  Result<size_t> Read(std::span<char> buf) override {
    if (pos_ >= fail_after_) return Status::IOError("read <test>: Input/output error");
    size_t n = std::min({buf.size(), data_.size() - pos_, 1 + (calls_++ * 7919) % 300});
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t fail_after_;
  size_t pos_ = 0;
  size_t calls_ = 0;
};

class StringOutput final : public io::WritableFile {
 public:
  explicit StringOutput(bool fail = false) : fail_(fail) {}
  Status Append(std::string_view data) override {
    if (fail_) return Status::IOError("write <test>: No space left on device");
    data_.append(data);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
  uint64_t Size() const override { return data_.size(); }
  const std::string& data() const { return data_; }

 private:
  bool fail_;
  std::string data_;
};

std::string Record(int i) {
  char uid[40];
  std::snprintf(uid, sizeof(uid), "%08x-0000-4000-8000-%012x", i, i);
  return std::string(R"({"index": )") + std::to_string(i) + R"(, "unique_id": ")" + uid +
         R"(", "title": "Title )" + std::to_string(i) + R"(", "follower_count": "1k"})";
}

// What a one-record-at-a-time loop produces, to compare the parallel run with.
void Sequential(const std::vector<std::string>& lines, std::string* clean, std::string* rejects) {
  Cleaner cleaner;
  CleanRecord record;
  Rejection rejection;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (cleaner.Clean(line, &record, &rejection)) {
      AppendCleanJson(record, clean);
      clean->push_back('\n');
    } else {
      AppendRejectJson(static_cast<int64_t>(i + 1), rejection, line, rejects);
      rejects->push_back('\n');
    }
  }
}

TEST(NdjsonCleanerTest, ParallelSmallChunksKeepOrderAndLineNumbers) {
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 0) lines.push_back("");
    else if (i % 101 == 0) lines.push_back("  \t\r");
    else if (i % 89 == 0) lines.push_back(R"({"unique_id": "nope"})");
    else if (i % 83 == 0) lines.push_back("[1,2]");
    else lines.push_back(Record(i) + (i % 5 == 0 ? "\r" : ""));
  }
  std::string input;
  for (const std::string& l : lines) input += l + "\n";
  std::string want_clean, want_rejects;
  Sequential(lines, &want_clean, &want_rejects);

  for (size_t chunk : {size_t{1}, size_t{100}, size_t{4096}, size_t{1} << 20}) {
    StringInput in(input);
    StringOutput out, rej;
    auto stats = CleanNdjson(&in, &out, &rej, {.threads = 4, .chunk_bytes = chunk, .max_chunks_in_flight = 3});
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(out.data(), want_clean) << chunk;
    EXPECT_EQ(rej.data(), want_rejects) << chunk;
    EXPECT_EQ(stats->lines, 3000);
    EXPECT_EQ(stats->records_in, stats->records_out + stats->RejectedTotal());
    EXPECT_EQ(stats->records_in + stats->blank_lines, 3000);
    EXPECT_GT(stats->rejected[int(RejectReason::kInvalidUniqueId)], 0);
    EXPECT_GT(stats->rejected[int(RejectReason::kNotObject)], 0);
    EXPECT_EQ(stats->bytes_in, static_cast<int64_t>(input.size()));
    EXPECT_EQ(stats->nulls[int(CleanField::kTitle)], 0);
    EXPECT_EQ(stats->nulls[int(CleanField::kCategory)], stats->records_out);
  }
}

TEST(NdjsonCleanerTest, LastLineWithoutNewlineAndEmptyInput) {
  StringInput in(Record(1) + "\n\n" + Record(2));
  StringOutput out, rej;
  auto stats = CleanNdjson(&in, &out, &rej, {.threads = 2});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lines, 3);
  EXPECT_EQ(stats->blank_lines, 1);
  EXPECT_EQ(stats->records_out, 2);
  EXPECT_EQ(std::count(out.data().begin(), out.data().end(), '\n'), 2);

  StringInput empty("");
  StringOutput out2, rej2;
  auto none = CleanNdjson(&empty, &out2, &rej2, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->lines, 0);
  EXPECT_EQ(out2.data(), "");
}

TEST(NdjsonCleanerTest, OverlongLineIsRejectedWithoutHoldingIt) {
  std::string huge = R"({"unique_id": ")" + std::string(50000, 'x') + "\"}";
  StringInput in(Record(1) + "\n" + huge + "\n" + Record(3) + "\n" + huge);
  StringOutput out, rej;
  auto stats = CleanNdjson(&in, &out, &rej, {.threads = 2, .chunk_bytes = 1000, .max_record_bytes = 10000});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records_out, 2);
  EXPECT_EQ(stats->rejected[int(RejectReason::kInvalidJson)], 2);
  EXPECT_NE(rej.data().find(R"({"line":2,"reason":"invalid_json","field":null,"detail":"record longer than 10000 bytes")"),
            std::string::npos);
  EXPECT_NE(rej.data().find(R"({"line":4,)"), std::string::npos);
  EXPECT_LT(rej.data().size(), 2 * (kRejectRawLimit + 200));
  EXPECT_EQ(stats->lines, 4);
}

TEST(NdjsonCleanerTest, ReadAndWriteFailuresAreReturned) {
  std::string input;
  for (int i = 0; i < 500; ++i) input += Record(i) + "\n";
  {
    StringInput in(input, 10000);
    StringOutput out, rej;
    auto stats = CleanNdjson(&in, &out, &rej, {.threads = 2, .chunk_bytes = 512});
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), StatusCode::kIOError);
  }
  {
    StringInput in(input);
    StringOutput out(/*fail=*/true), rej;
    auto stats = CleanNdjson(&in, &out, &rej, {.threads = 2, .chunk_bytes = 512});
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.status().message().find("No space left"), std::string::npos);
  }
}

}  // namespace
}  // namespace pinpipe::pin
