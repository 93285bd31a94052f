#include "metrics/metrics_endpoint.h"

#include <gtest/gtest.h>

#include <atomic>

#include "http_client.h"
#include "metrics/listen_address.h"

namespace pinpipe::metrics {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;

TEST(ListenAddressTest, ParsesTheAcceptedForms) {
  EXPECT_EQ(ParseListenAddress("127.0.0.1:8000")->host, "127.0.0.1");
  EXPECT_EQ(ParseListenAddress("127.0.0.1:8000")->port, 8000);
  EXPECT_EQ(ParseListenAddress("[::1]:9100")->host, "::1");
  EXPECT_EQ(ParseListenAddress("localhost:0")->host, "127.0.0.1");
  EXPECT_EQ(ParseListenAddress(":8000")->host, "0.0.0.0");
  for (const char* bad : {"", "8000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "host.example:80", "1.2.3.4:x"}) {
    EXPECT_EQ(ParseListenAddress(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.GetCounter("pinpipe_test_events_total", "Events.").Inc(5);
    auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_, [this] { return ready_.load(); },
                                           {.request_timeout_ms = 300, .max_connections = 4});
    ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    endpoint_ = std::move(endpoint).value();
  }
  Registry registry_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<MetricsEndpoint> endpoint_;
};

TEST_F(MetricsEndpointTest, ServesExposition) {
  auto r = HttpRequest(endpoint_->port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("pinpipe_test_events_total 5\n"), std::string::npos) << r.body;
}

TEST_F(MetricsEndpointTest, HealthAndReadiness) {
  EXPECT_EQ(HttpRequest(endpoint_->port(), "GET", "/healthz").status, 200);
  auto not_ready = HttpRequest(endpoint_->port(), "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, R"({"status":"not_ready"})");
  ready_ = true;
  EXPECT_EQ(HttpRequest(endpoint_->port(), "GET", "/readyz").status, 200);
}

TEST_F(MetricsEndpointTest, UnknownRouteAndMethod) {
  EXPECT_EQ(HttpRequest(endpoint_->port(), "GET", "/nope").status, 404);
  auto r = HttpRequest(endpoint_->port(), "POST", "/metrics", "x");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD");
}

TEST_F(MetricsEndpointTest, HeadHasLengthButNoBody) {
  auto conn = HttpConnection::Connect(endpoint_->port());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Send(testing::BuildRequest("HEAD", "/healthz")));
  auto head = conn->Read(std::chrono::seconds(5), /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "15");
  // The connection stays usable: no stray body bytes precede the next answer.
  ASSERT_TRUE(conn->Send(testing::BuildRequest("GET", "/healthz")));
  auto get = conn->Read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, R"({"status":"ok"})");
}

TEST_F(MetricsEndpointTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto conn = HttpConnection::Connect(endpoint_->port());
  ASSERT_TRUE(conn);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn->Send(testing::BuildRequest("GET", "/healthz")));
    auto r = conn->Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(MetricsEndpointTest, IdleConnectionIsClosedAfterTheTimeout) {
  auto conn = HttpConnection::Connect(endpoint_->port());
  ASSERT_TRUE(conn);
  ASSERT_TRUE(conn->Send("GET /metr"));
  EXPECT_TRUE(conn->WaitClosed(std::chrono::seconds(5)));
}

TEST(MetricsEndpointStartTest, BadAddressIsInvalidArgument) {
  Registry r;
  EXPECT_EQ(MetricsEndpoint::Start("nope", &r, nullptr).status().code(), StatusCode::kInvalidArgument);
}

TEST(MetricsEndpointStartTest, PortInUseIsUnavailable) {
  Registry r;
  auto first = MetricsEndpoint::Start("127.0.0.1:0", &r, nullptr);
  ASSERT_TRUE(first.ok());
  auto second = MetricsEndpoint::Start("127.0.0.1:" + std::to_string((*first)->port()), &r, nullptr);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace pinpipe::metrics
