#include "ingest/batch_body.h"

#include <gtest/gtest.h>

namespace pinpipe::ingest {
namespace {

std::vector<std::pair<std::string, int64_t>> Split(std::string_view body, BatchFormat format,
                                                   SplitOutcome want = SplitOutcome::kOk, size_t max = 100) {
  std::vector<BatchItem> items;
  SplitResult r = SplitBatchBody(body, format, max, &items);
  EXPECT_EQ(r.outcome, want) << r.detail;
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& i : items) out.emplace_back(std::string(i.text), i.line);
  return out;
}

using Items = std::vector<std::pair<std::string, int64_t>>;

TEST(BatchBodyTest, NdjsonLinesKeepTheirNumbersAndSkipBlankLines) {
  EXPECT_EQ(Split("{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}", BatchFormat::kNdjson),
            (Items{{"{\"a\":1}", 1}, {"{\"b\":2}", 4}, {"{\"c\":3}", 5}}));
}

TEST(BatchBodyTest, NdjsonKeepsLineBytesVerbatim) {
  EXPECT_EQ(Split(" {\"a\" : 1} \nnot json\n", BatchFormat::kNdjson), (Items{{" {\"a\" : 1} ", 1}, {"not json", 2}}));
}

TEST(BatchBodyTest, EmptyBodiesHaveNoItems) {
  EXPECT_TRUE(Split("", BatchFormat::kNdjson).empty());
  EXPECT_TRUE(Split("\n\n", BatchFormat::kNdjson).empty());
  EXPECT_TRUE(Split(" [ ] ", BatchFormat::kJsonArray).empty());
}

TEST(BatchBodyTest, ArrayElementsAreFoundByDepthOutsideStrings) {
  std::string body = R"( [ {"a":"x,]}\"{"}, {"b":[1,2,{"c":3}]} ,"s", 7 ,null] )";
  EXPECT_EQ(Split(body, BatchFormat::kJsonArray),
            (Items{{R"({"a":"x,]}\"{"})", 1}, {R"({"b":[1,2,{"c":3}]})", 2}, {"\"s\"", 3}, {"7", 4}, {"null", 5}}));
}

TEST(BatchBodyTest, ArrayFramingErrorsAreReported) {
  for (const char* body : {"", "{\"a\":1}", "[", "[{\"a\":1}", "[{\"a\":1},]", "[,{}]", "[{}] x", "[{}}]",
                           "[\"unterminated]"}) {
    std::vector<BatchItem> items;
    EXPECT_EQ(SplitBatchBody(body, BatchFormat::kJsonArray, 100, &items).outcome, SplitOutcome::kBadFraming)
        << body;
  }
}

TEST(BatchBodyTest, TooManyRecordsStopsTheSplit) {
  Split("{}\n{}\n{}\n", BatchFormat::kNdjson, SplitOutcome::kTooManyRecords, 2);
  Split("[{},{},{}]", BatchFormat::kJsonArray, SplitOutcome::kTooManyRecords, 2);
  EXPECT_EQ(Split("{}\n{}\n", BatchFormat::kNdjson, SplitOutcome::kOk, 2).size(), 2u);
}

TEST(BatchBodyTest, SniffPicksArrayOnlyForJsonContent) {
  EXPECT_EQ(SniffBatchFormat("  [{}]", true), BatchFormat::kJsonArray);
  EXPECT_EQ(SniffBatchFormat("{}\n{}", true), BatchFormat::kNdjson);
  EXPECT_EQ(SniffBatchFormat("[{}]", false), BatchFormat::kNdjson);
}

}  // namespace
}  // namespace pinpipe::ingest
