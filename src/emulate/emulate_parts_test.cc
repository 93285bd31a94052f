// Unit tests of the emulator's parts: URL, latency histogram, answer parsing,
// file source and report rendering.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emulate/ack_parse.h"
#include "emulate/emulator_report.h"
#include "emulate/latency_histogram.h"
#include "emulate/record_source.h"
#include "emulate/target_url.h"
#include "subprocess.h"

namespace pinpipe::emulate {
namespace {

using ::testing::HasSubstr;

TEST(TargetUrlTest, ParsesHostPortAndBase) {
  auto t = ParseTargetUrl("http://127.0.0.1:8000");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8000);
  EXPECT_EQ(t->base_path, "");
  EXPECT_EQ(t->Host(), "127.0.0.1:8000");
  EXPECT_EQ(ParseTargetUrl("http://api.local/ingest/")->base_path, "/ingest");
  EXPECT_EQ(ParseTargetUrl("http://api.local")->port, 80);
  EXPECT_EQ(ParseTargetUrl("http://h:1/pin/")->base_path, "");
  EXPECT_EQ(ParseTargetUrl("http://h:1/x/pins")->base_path, "/x");
  EXPECT_EQ(ParseTargetUrl("http://[::1]:9000")->host, "::1");
  for (const char* bad : {"https://h:1", "127.0.0.1:8000", "http://:80", "http://h:0", "http://h:x", "http://h/a?b"}) {
    EXPECT_EQ(ParseTargetUrl(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercent) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100000);
  EXPECT_EQ(h.max(), 100000);
  EXPECT_NEAR(h.Percentile(0.5), 50000, 500);
  EXPECT_NEAR(h.Percentile(0.99), 99000, 990);
  EXPECT_EQ(h.Percentile(1.0), 100000);
  LatencyHistogram small;
  for (int v : {3, 3, 7, 200}) small.Record(v);
  EXPECT_EQ(small.Percentile(0.5), 3);  // exact below 256 µs
  EXPECT_EQ(small.Percentile(0.75), 7);
  EXPECT_EQ(LatencyHistogram().Percentile(0.5), 0);
}

TEST(LatencyHistogramTest, AddMerges) {
  LatencyHistogram a, b;
  a.Record(10);
  b.Record(1'000'000);
  a.Add(b);
  EXPECT_EQ(a.count(), 2);
  EXPECT_EQ(a.max(), 1'000'000);
}

TEST(AckParseTest, SingleRecordAnswers) {
  AckSummary s;
  ASSERT_TRUE(ParseAck(202, R"({"partition":3,"offset":42})", 1, false, &s));
  EXPECT_EQ(s.accepted, 1);
  EXPECT_EQ(s.partition, 3);
  EXPECT_EQ(s.offset, 42);
  ASSERT_TRUE(ParseAck(400, R"({"error":"bad_type","field":"title","detail":"x"})", 1, false, &s));
  EXPECT_EQ(s.rejected, 1);
  EXPECT_FALSE(ParseAck(429, R"({"error":"overloaded"})", 1, false, &s));
  EXPECT_FALSE(ParseAck(202, "garbage", 1, false, &s));
}

TEST(AckParseTest, BatchAnswers) {
  AckSummary s;
  ASSERT_TRUE(ParseAck(202,
                       R"({"accepted":3,"rejected":2,"rejects":[{"line":2,"reason":"bad_type","field":"t",)"
                       R"("detail":"has \"line\":9"},{"line":5,"reason":"invalid_json","field":null,"detail":"x"}]})",
                       5, true, &s));
  EXPECT_EQ(s.accepted, 3);
  EXPECT_EQ(s.rejected, 2);
  EXPECT_EQ(s.rejected_lines, (std::vector<int64_t>{2, 5}));
  ASSERT_TRUE(ParseAck(400, R"({"error":"empty_batch","detail":"x"})", 7, true, &s));
  EXPECT_EQ(s.rejected, 7);
  EXPECT_FALSE(ParseAck(413, R"({"error":"too_many_records"})", 7, true, &s));
}

TEST(RecordSourceTest, FileLinesSkipBlanksAndEndCleanly) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("in.ndjson"), "{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}");
  auto source = FileRecords(io::PosixFileSystem(), dir.File("in.ndjson"));
  ASSERT_TRUE(source.ok());
  std::vector<std::string> got;
  std::string r;
  while ((*source)->Next(&r)) {
    got.push_back(r);
    r.clear();
  }
  EXPECT_EQ(got, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}));
  EXPECT_TRUE((*source)->status().ok());
  EXPECT_FALSE(FileRecords(io::PosixFileSystem(), dir.File("missing")).ok());
}

TEST(RecordSourceTest, GeneratedRecordsNeverEnd) {
  auto source = GeneratedRecords({});
  std::string r;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(source->Next(&r));
  EXPECT_THAT(r, HasSubstr("unique_id"));
}

TEST(EmulatorReportTest, TextAndJsonCarryTheCounts) {
  EmulatorReport r;
  r.counts = {.elapsed_s = 2, .requests = 10, .records_sent = 10, .accepted = 8, .rejected = 1, .failed = 1,
              .failed_requests = 1, .throttled = 0, .http_errors = 0};
  r.statuses = {{202, 8}, {400, 1}};
  r.latency.Record(1500);
  EmulatorOptions o;
  o.concurrency = 4;
  std::string text = ReportText(r, "http://x:1");
  EXPECT_THAT(text, HasSubstr("sent 10  accepted 8  rejected 1  failed 1"));
  EXPECT_THAT(text, HasSubstr("5.0 req/s"));
  EXPECT_THAT(text, HasSubstr("p50 1.5"));
  std::string json = ReportJson(r, o, "http://x:1");
  EXPECT_THAT(json, HasSubstr(R"("sent":10,"accepted":8,"rejected":1,"failed":1,"failed_requests":1)"));
  EXPECT_THAT(json, HasSubstr(R"("statuses":{"202":8,"400":1})"));
  EXPECT_THAT(ProgressLine(r.counts), HasSubstr("sent 10  accepted 8"));
}

}  // namespace
}  // namespace pinpipe::emulate
