// `promtool check metrics` (Prometheus's own parser and linter) accepts what
// GET /metrics serves: from the ingest API after real traffic on the
// embedded log, and from the MetricsEndpoint other processes use.
#include <gtest/gtest.h>

#include "bus/open_bus.h"
#include "http_client.h"
#include "ingest/api_server.h"
#include "metrics/metrics_endpoint.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using testing::HttpRequest;

// promtool's verdict on an exposition: exit code plus what it printed.
testing::RunResult PromtoolCheck(const std::string& exposition) {
  std::string promtool = testing::FindProgram("promtool");
  EXPECT_FALSE(promtool.empty()) << "promtool not found: run scripts/install-deps.sh --test";
  if (promtool.empty()) return {};
  return testing::Run({promtool, "check", "metrics"}, exposition);
}

TEST(ApiMetricsTest, PromtoolAcceptsTheApiExposition) {
  testing::TempDir dir;
  bus::BusOptions bus_options;
  bus_options.url = "log:" + dir.path();
  auto bus = bus::OpenBus(bus_options);
  ASSERT_TRUE(bus.ok()) << bus.status().ToString();
  ASSERT_TRUE((*bus)->CreateTopic("pins", 4).ok());
  auto producer = (*bus)->NewProducer("pins");
  ASSERT_TRUE(producer.ok());
  metrics::Registry registry;
  ingest::ApiOptions options;
  options.listen = "127.0.0.1:0";
  auto server = ingest::ApiServer::Start(options, producer->get(), &registry, RealClock());
  ASSERT_TRUE(server.ok());
  int port = (*server)->port();

  // Traffic that fills every family: accepted, each reject reason, a batch,
  // unknown routes, wrong methods, bad content types.
  std::string good = R"({"index":1,"unique_id":"5b6a6f6e-1234-4abc-9def-0123456789ab","title":"x"})";
  EXPECT_EQ(HttpRequest(port, "POST", "/pin", good).status, 202);
  EXPECT_EQ(HttpRequest(port, "POST", "/pins", good + "\n" + good + "\n{\"unique_id\":\"x\"}").status, 202);
  for (const char* bad : {"nope", "[1]", "{}", R"({"unique_id":"x"})",
                          R"({"unique_id":"5b6a6f6e-1234-4abc-9def-0123456789ab","title":1})"}) {
    EXPECT_EQ(HttpRequest(port, "POST", "/pin", bad).status, 400);
  }
  EXPECT_EQ(HttpRequest(port, "GET", "/nope").status, 404);
  EXPECT_EQ(HttpRequest(port, "GET", "/pin").status, 405);
  EXPECT_EQ(HttpRequest(port, "POST", "/pin", good, {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(HttpRequest(port, "GET", "/healthz").status, 200);

  auto scrape = HttpRequest(port, "GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  for (const char* family : {"pinpipe_api_requests_total", "pinpipe_api_records_accepted_total",
                             "pinpipe_api_records_rejected_total", "pinpipe_api_request_duration_seconds_bucket",
                             "pinpipe_api_bus_append_duration_seconds_bucket", "pinpipe_api_in_flight_requests",
                             "pinpipe_api_received_bytes_total", "pinpipe_api_batch_records_bucket",
                             "pinpipe_api_connections"}) {
    EXPECT_NE(scrape.body.find(family), std::string::npos) << family;
  }
  auto check = PromtoolCheck(scrape.body);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << "\n---\n" << scrape.body;
  (*server)->Shutdown(std::chrono::seconds(10));
  EXPECT_TRUE((*producer)->Flush(std::chrono::seconds(10)).ok());
}

TEST(ApiMetricsTest, PromtoolAcceptsTheEndpointExpositionWithEscapes) {
  metrics::Registry registry;
  registry.GetCounter("pinpipe_test_events_total", "Events with \\ and\nnewline in help.",
                      {{"path", "C:\\dir \"quoted\"\nnext"}})
      .Inc(3);
  registry.GetGauge("pinpipe_test_lag_records", "Lag.", {{"partition", "0"}}).Set(-2.5);
  auto& h = registry.GetHistogram("pinpipe_test_commit_seconds", "Commit latency.", metrics::LatencyBuckets());
  for (double v : {0.00005, 0.003, 0.2, 42.0}) h.Observe(v);
  auto endpoint = metrics::MetricsEndpoint::Start("127.0.0.1:0", &registry, nullptr);
  ASSERT_TRUE(endpoint.ok());
  auto scrape = HttpRequest((*endpoint)->port(), "GET", "/metrics");
  ASSERT_EQ(scrape.status, 200);
  auto check = PromtoolCheck(scrape.body);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << "\n---\n" << scrape.body;
}

}  // namespace
}  // namespace pinpipe
