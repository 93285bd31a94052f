#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "metrics/exposition.h"

namespace pinpipe::metrics {
namespace {

TEST(CounterTest, IncrementsAndSums) {
  Counter c;
  c.Inc();
  c.Inc(2.5);
  EXPECT_DOUBLE_EQ(c.Value(), 3.5);
}

TEST(CounterTest, ConcurrentIncrementsAreNotLost) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_DOUBLE_EQ(c.Value(), 40000);
}

TEST(GaugeTest, SetsAndAdds) {
  Gauge g;
  g.Set(10);
  g.Add(-3);
  EXPECT_DOUBLE_EQ(g.Value(), 7);
}

TEST(HistogramTest, BucketsAreCumulativeAndBoundsInclusive) {
  Histogram h({1, 5, 10});
  for (double v : {0.5, 1.0, 3.0, 5.0, 7.0, 100.0}) h.Observe(v);
  EXPECT_EQ(h.CumulativeCount(0), 2u);  // 0.5, 1 (le is inclusive)
  EXPECT_EQ(h.CumulativeCount(1), 4u);
  EXPECT_EQ(h.CumulativeCount(2), 5u);
  EXPECT_EQ(h.CumulativeCount(3), 6u);  // +Inf
  EXPECT_EQ(h.Count(), 6u);
  EXPECT_DOUBLE_EQ(h.Sum(), 116.5);
}

TEST(RegistryTest, SameNameAndLabelsReturnSameObject) {
  Registry r;
  Counter& a = r.GetCounter("x_total", "help", {{"a", "1"}, {"b", "2"}});
  Counter& b = r.GetCounter("x_total", "help", {{"b", "2"}, {"a", "1"}});
  Counter& c = r.GetCounter("x_total", "help", {{"a", "2"}, {"b", "2"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(RegistryTest, ExpositionHasHelpTypeAndSortedSamples) {
  Registry r;
  r.GetCounter("pinpipe_test_requests_total", "Requests.", {{"route", "/pin"}}).Inc(3);
  r.GetCounter("pinpipe_test_requests_total", "Requests.", {{"route", "/pins"}}).Inc();
  r.GetGauge("pinpipe_test_in_flight", "In flight.").Set(2);
  EXPECT_EQ(r.Exposition(),
            "# HELP pinpipe_test_in_flight In flight.\n"
            "# TYPE pinpipe_test_in_flight gauge\n"
            "pinpipe_test_in_flight 2\n"
            "# HELP pinpipe_test_requests_total Requests.\n"
            "# TYPE pinpipe_test_requests_total counter\n"
            "pinpipe_test_requests_total{route=\"/pin\"} 3\n"
            "pinpipe_test_requests_total{route=\"/pins\"} 1\n");
}

TEST(RegistryTest, HistogramExpositionHasBucketsSumAndCount) {
  Registry r;
  Histogram& h = r.GetHistogram("pinpipe_test_latency_seconds", "Latency.", {0.001, 0.5}, {{"route", "/pin"}});
  h.Observe(0.0005);
  h.Observe(0.25);
  h.Observe(3);
  EXPECT_EQ(r.Exposition(),
            "# HELP pinpipe_test_latency_seconds Latency.\n"
            "# TYPE pinpipe_test_latency_seconds histogram\n"
            "pinpipe_test_latency_seconds_bucket{route=\"/pin\",le=\"0.001\"} 1\n"
            "pinpipe_test_latency_seconds_bucket{route=\"/pin\",le=\"0.5\"} 2\n"
            "pinpipe_test_latency_seconds_bucket{route=\"/pin\",le=\"+Inf\"} 3\n"
            "pinpipe_test_latency_seconds_sum{route=\"/pin\"} 3.2505\n"
            "pinpipe_test_latency_seconds_count{route=\"/pin\"} 3\n");
}

TEST(RegistryTest, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.GetCounter("pinpipe_test_total", "a \\ b\nc \"q\"", {{"v", "x\\y\"z\nw"}}).Inc();
  EXPECT_EQ(r.Exposition(),
            "# HELP pinpipe_test_total a \\\\ b\\nc \"q\"\n"
            "# TYPE pinpipe_test_total counter\n"
            "pinpipe_test_total{v=\"x\\\\y\\\"z\\nw\"} 1\n");
}

TEST(RegistryTest, FamilyWithoutSamplesStillHasHeader) {
  Registry r;
  r.GetHistogram("pinpipe_test_seconds", "H.", LatencyBuckets());
  std::string text = r.Exposition();
  EXPECT_NE(text.find("pinpipe_test_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pinpipe_test_seconds_bucket{le=\"10\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("pinpipe_test_seconds_count 0\n"), std::string::npos) << text;
}

TEST(ExpositionTest, ValuesAreSpelledAsPrometheusReadsThem) {
  auto spell = [](double v) {
    std::string s;
    AppendValue(v, &s);
    return s;
  };
  EXPECT_EQ(spell(0), "0");
  EXPECT_EQ(spell(42), "42");
  EXPECT_EQ(spell(-7), "-7");
  EXPECT_EQ(spell(0.25), "0.25");
  EXPECT_EQ(spell(1e20), "1e+20");
  EXPECT_EQ(spell(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(spell(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(spell(std::nan("")), "NaN");
}

TEST(RegistryDeathTest, InvalidNamesAndTypeClashesAreBugs) {
  Registry r;
  EXPECT_DEATH(r.GetCounter("bad-name", "h"), "invalid metric name");
  EXPECT_DEATH(r.GetCounter("ok_total", "h", {{"0bad", "v"}}), "invalid label name");
  r.GetCounter("clash", "h");
  EXPECT_DEATH(r.GetGauge("clash", "h"), "different types");
  EXPECT_DEATH(r.GetHistogram("h_seconds", "h", {1}, {{"le", "x"}}), "reserved");
  EXPECT_DEATH(Histogram({2, 1}), "ascend");
}

TEST(BucketsTest, DefaultBucketsAscend) {
  for (const auto& b : {LatencyBuckets(), SizeBuckets()}) {
    ASSERT_FALSE(b.empty());
    for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
  }
  EXPECT_DOUBLE_EQ(LatencyBuckets().front(), 0.0001);
  EXPECT_DOUBLE_EQ(LatencyBuckets().back(), 10);
  EXPECT_DOUBLE_EQ(SizeBuckets().back(), 100000);
}

}  // namespace
}  // namespace pinpipe::metrics
