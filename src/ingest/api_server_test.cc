// The API over real sockets on 127.0.0.1 with an in-memory producer, so bus
// answers (success, backpressure, failure, delay) are under the test's control.
#include "ingest/api_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "fake_producer.h"
#include "http_client.h"
#include "subprocess.h"

namespace pinpipe::ingest {
namespace {

using ::testing::HasSubstr;
using testing::BuildRequest;
using testing::HttpConnection;
using testing::HttpResponse;
using namespace std::chrono_literals;

constexpr char kUuid[] = "5b6a6f6e-1234-4abc-9def-0123456789ab";
constexpr char kRecord[] =
    R"({"index":7,"unique_id":" 5B6A6F6E-1234-4ABC-9DEF-0123456789AB ","title":"t","follower_count":"12k"})";
constexpr char kBadType[] = R"({"unique_id":"5b6a6f6e-1234-4abc-9def-0123456789ab","title":{"x":1}})";
constexpr UnixMicros kNow = 1'764'151'200'000'000;

std::string Record(int i) {
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", i);
  return std::string(R"({"index":)") + std::to_string(i) + R"(,"unique_id":")" + uuid + R"(","title":"t"})";
}

class ApiServerTest : public ::testing::Test {
 protected:
  void Start(ApiOptions options = {}) {
    options.listen = "127.0.0.1:0";
    if (options.io_threads == 0) options.io_threads = 2;
    auto server = ApiServer::Start(options, &producer_, &registry_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void SetUp() override { Start(); }

  HttpResponse Post(std::string_view target, std::string_view body,
                    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}}) {
    return testing::HttpRequest(server_->port(), "POST", target, body, headers);
  }
  HttpConnection Connect() {
    auto c = HttpConnection::Connect(server_->port());
    EXPECT_TRUE(c.has_value());
    return std::move(*c);
  }
  double Metric(const std::string& line_prefix) {
    std::string text = "\n" + registry_.Exposition();
    size_t at = text.find("\n" + line_prefix + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + line_prefix.size() + 2));
  }

  ManualClock clock_{kNow};
  testing::FakeProducer producer_;
  metrics::Registry registry_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ApiServerTest, PinIsAnsweredOnlyAfterTheBusConfirms) {
  producer_.Hold();
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send(BuildRequest("POST", "/pin", kRecord, {{"Content-Type", "application/json"}})));
  ASSERT_TRUE(testing::WaitFor([&] { return producer_.waiting() == 1; }, 10s));
  EXPECT_FALSE(conn.Read(100ms).has_value()) << "answered before the bus confirmed";
  producer_.Release();
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, R"({"partition":)" + std::to_string(bus::PartitionForKey(kUuid, 4)) + R"(,"offset":0})");
  auto records = producer_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, kUuid);
  EXPECT_EQ(records[0].value, kRecord);
  EXPECT_EQ(records[0].timestamp, kNow);
  EXPECT_EQ(Metric("pinpipe_api_records_accepted_total"), 1);
  // Counted once the response is written, which may be just after the client read it.
  EXPECT_TRUE(testing::WaitFor([&] { return Metric(R"(pinpipe_api_requests_total{route="/pin",status="202"})") == 1; }));
}

TEST_F(ApiServerTest, PinWithTrailingSlashAndNdjsonTypeIsAccepted) {
  auto r = Post("/pin/", std::string(kRecord) + "\n", {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 202) << r.body;
  ASSERT_EQ(producer_.records().size(), 1u);
  EXPECT_EQ(producer_.records()[0].value, kRecord);  // surrounding whitespace dropped
}

TEST_F(ApiServerTest, MissingContentTypeIsReadAsJson) {
  EXPECT_EQ(Post("/pin", kRecord, {}).status, 202);
}

TEST_F(ApiServerTest, RecordTheCleanerRejectsGets400NamingTheField) {
  auto r = Post("/pin", kBadType);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("error":"bad_type","field":"title","detail":)"));
  EXPECT_EQ(Post("/pin", "not json").status, 400);
  EXPECT_THAT(Post("/pin", R"({"title":"x"})").body, HasSubstr(R"("error":"missing_unique_id")"));
  EXPECT_THAT(Post("/pin", R"({"unique_id":"nope"})").body, HasSubstr(R"("error":"invalid_unique_id")"));
  EXPECT_EQ(producer_.appends(), 0);
  EXPECT_EQ(Metric(R"(pinpipe_api_records_rejected_total{reason="bad_type"})"), 1);
}

TEST_F(ApiServerTest, PinsAcceptsValidLinesAndListsTheRejected) {
  std::string body = Record(1) + "\n" + kBadType + "\n\n" + Record(2) + "\nnot json\n";
  auto r = Post("/pins", body, {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 202);
  EXPECT_THAT(r.body, HasSubstr(R"({"accepted":2,"rejected":2,"rejects":[{"line":2,"reason":"bad_type","field":"title")"));
  EXPECT_THAT(r.body, HasSubstr(R"({"line":5,"reason":"invalid_json","field":null)"));
  auto records = producer_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].value, Record(1));
  EXPECT_EQ(records[1].value, Record(2));
}

TEST_F(ApiServerTest, PinsAcceptsAJsonArray) {
  auto r = Post("/pins", "[" + Record(1) + ",\n " + Record(2) + "]");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body, R"({"accepted":2,"rejected":0,"rejects":[]})");
  EXPECT_EQ(producer_.records().size(), 2u);
}

TEST_F(ApiServerTest, PinsWithNothingUsableIs400) {
  EXPECT_THAT(Post("/pins", "\n\n").body, HasSubstr("empty_batch"));
  auto all_bad = Post("/pins", std::string(kBadType) + "\n" + kBadType);
  EXPECT_EQ(all_bad.status, 400);
  EXPECT_THAT(all_bad.body, HasSubstr(R"("accepted":0,"rejected":2)"));
  auto framing = Post("/pins", "[" + Record(1));
  EXPECT_EQ(framing.status, 400);
  EXPECT_THAT(framing.body, HasSubstr("invalid_json"));
  EXPECT_EQ(producer_.appends(), 0);
}

TEST_F(ApiServerTest, TooManyRecordsIs413) {
  server_.reset();
  ApiOptions o;
  o.max_batch_records = 2;
  Start(o);
  auto r = Post("/pins", Record(1) + "\n" + Record(2) + "\n" + Record(3));
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("too_many_records"));
}

TEST_F(ApiServerTest, BodyOverTheRouteLimitIs413AndClosesTheConnection) {
  server_.reset();
  ApiOptions o;
  o.max_pin_body_bytes = 100;
  o.max_pins_body_bytes = 1000;
  Start(o);
  HttpConnection conn = Connect();
  std::string big(500, ' ');
  ASSERT_TRUE(conn.Send(BuildRequest("POST", "/pin", big)));
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_THAT(r->body, HasSubstr("body_too_large"));
  EXPECT_TRUE(conn.WaitClosed(5s));
  // The same size is fine for /pins.
  EXPECT_EQ(Post("/pins", Record(1) + big).status, 202);
}

TEST_F(ApiServerTest, ChunkedBodyOverTheLimitIs413) {
  server_.reset();
  ApiOptions o;
  o.max_pin_body_bytes = 100;
  Start(o);
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send("POST /pin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "40\r\n" + std::string(64, ' ') + "\r\n40\r\n" + std::string(64, ' ') + "\r\n0\r\n\r\n"));
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ApiServerTest, ChunkedBodyIsAccepted) {
  std::string rec = kRecord;
  std::string half1 = rec.substr(0, 20), half2 = rec.substr(20);
  char size1[16], size2[16];
  std::snprintf(size1, sizeof(size1), "%zx", half1.size());
  std::snprintf(size2, sizeof(size2), "%zx", half2.size());
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send(std::string("POST /pin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n") +
                        size1 + "\r\n" + half1 + "\r\n" + size2 + "\r\n" + half2 + "\r\n0\r\n\r\n"));
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  ASSERT_EQ(producer_.records().size(), 1u);
  EXPECT_EQ(producer_.records()[0].value, rec);
}

TEST_F(ApiServerTest, UnsupportedContentTypeIs415) {
  auto r = Post("/pin", kRecord, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_THAT(r.body, HasSubstr("unsupported_media_type"));
}

TEST_F(ApiServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  auto missing = testing::HttpRequest(server_->port(), "GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("error":"not_found")"));
  auto get_pin = testing::HttpRequest(server_->port(), "GET", "/pin");
  EXPECT_EQ(get_pin.status, 405);
  EXPECT_EQ(get_pin.Header("allow"), "POST");
  auto post_health = Post("/healthz", "{}");
  EXPECT_EQ(post_health.status, 405);
  EXPECT_EQ(post_health.Header("allow"), "GET, HEAD");
}

TEST_F(ApiServerTest, BusBackpressureIs429AndBusFailureIs503WithRetryAfter) {
  producer_.FailWith(Status::ResourceExhausted("queue full"));
  auto full = Post("/pin", kRecord);
  EXPECT_EQ(full.status, 429);
  EXPECT_EQ(full.Header("retry-after"), "1");
  EXPECT_THAT(full.body, HasSubstr(R"("error":"overloaded")"));
  producer_.FailWith(Status::IOError("disk gone"));
  auto failed = Post("/pins", kRecord);
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.Header("retry-after"), "1");
  EXPECT_THAT(failed.body, HasSubstr("disk gone"));
  producer_.FailWith(std::nullopt);
  EXPECT_EQ(Post("/pin", kRecord).status, 202);
}

TEST_F(ApiServerTest, InflightBodyBudgetIs503WithRetryAfter) {
  server_.reset();
  ApiOptions o;
  o.max_inflight_body_bytes = 300;
  Start(o);
  producer_.Hold();
  HttpConnection first = Connect();
  std::string padded = std::string(kRecord) + std::string(200, ' ');
  ASSERT_TRUE(first.Send(BuildRequest("POST", "/pin", padded)));
  ASSERT_TRUE(testing::WaitFor([&] { return producer_.waiting() == 1; }, 10s));
  auto second = Post("/pin", padded);
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.Header("retry-after"), "1");
  producer_.Release();
  EXPECT_EQ(first.Read()->status, 202);
  EXPECT_EQ(Post("/pin", padded).status, 202);  // the budget came back
}

TEST_F(ApiServerTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send(BuildRequest("POST", "/pin", Record(1)) + BuildRequest("GET", "/healthz") +
                        BuildRequest("POST", "/pin", kBadType) + BuildRequest("POST", "/pin", Record(2))));
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    auto r = conn.Read();
    ASSERT_TRUE(r) << i;
    statuses.push_back(r->status);
    EXPECT_EQ(r->Header("connection"), "");
  }
  EXPECT_EQ(statuses, (std::vector<int>{202, 200, 400, 202}));
  ASSERT_TRUE(conn.Send(BuildRequest("POST", "/pin", Record(3))));
  EXPECT_EQ(conn.Read()->status, 202);
  EXPECT_EQ(producer_.records().size(), 3u);
}

TEST_F(ApiServerTest, Http10WithoutKeepAliveIsClosed) {
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(conn.WaitClosed(5s));
}

TEST_F(ApiServerTest, ExpectContinueGets100BeforeTheBody) {
  HttpConnection conn = Connect();
  std::string rec = kRecord;
  ASSERT_TRUE(conn.Send("POST /pin HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                        std::to_string(rec.size()) + "\r\n\r\n"));
  auto cont = conn.Read(5s, /*head=*/true);
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(conn.Send(rec));
  auto r = conn.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
}

TEST_F(ApiServerTest, MalformedAndOversizedHeadsAreRefused) {
  HttpConnection bad = Connect();
  ASSERT_TRUE(bad.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = bad.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  HttpConnection big = Connect();
  ASSERT_TRUE(big.Send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
  auto r2 = big.Read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 431);
}

TEST_F(ApiServerTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(testing::HttpRequest(server_->port(), "GET", "/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(testing::HttpRequest(server_->port(), "GET", "/readyz").status, 200);
  Post("/pin", kRecord);
  ASSERT_TRUE(testing::WaitFor([&] { return Metric(R"(pinpipe_api_requests_total{route="/pin",status="202"})") == 1; }));
  auto m = testing::HttpRequest(server_->port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(m.body, HasSubstr(R"(pinpipe_api_requests_total{route="/pin",status="202"} 1)"));
  EXPECT_THAT(m.body, HasSubstr("pinpipe_api_bus_append_duration_seconds_count 1"));
  EXPECT_THAT(m.body, HasSubstr("pinpipe_api_received_bytes_total " + std::to_string(std::string(kRecord).size())));
  auto head = testing::HttpRequest(server_->port(), "HEAD", "/healthz");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "15");
}

class ApiAuthTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiOptions o;
    o.bearer_token = "s3cret";
    Start(o);
  }
};

TEST_F(ApiAuthTest, PostsNeedTheBearerToken) {
  auto none = Post("/pin", kRecord);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Header("www-authenticate"), "Bearer");
  EXPECT_THAT(none.body, HasSubstr(R"("error":"unauthorized")"));
  EXPECT_EQ(Post("/pin", kRecord, {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(Post("/pins", kRecord, {{"Authorization", "Bearer s3cret"}}).status, 202);
  EXPECT_EQ(testing::HttpRequest(server_->port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(producer_.appends(), 1);
}

class ApiTimeoutTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiOptions o;
    o.header_timeout_ms = 400;
    o.body_timeout_ms = 400;
    o.idle_timeout_ms = 400;
    Start(o);
  }
};

TEST_F(ApiTimeoutTest, TricklingClientIsDroppedWhileOthersAreServed) {
  HttpConnection slow = Connect();
  std::string head = "POST /pin HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
  std::atomic<bool> dropped{false};
  std::thread trickler([&] {
    for (char c : head) {
      if (!slow.Send(std::string(1, c))) break;
      if (slow.WaitClosed(50ms)) {
        dropped = true;
        return;
      }
    }
    dropped = slow.WaitClosed(5s);
  });
  // Meanwhile the server keeps answering others.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Post("/pin", Record(i)).status, 202);
  trickler.join();
  EXPECT_TRUE(dropped);
  // The socket closes a moment before the handler that counts the timeout runs.
  EXPECT_TRUE(testing::WaitFor([&] { return Metric("pinpipe_api_timeouts_total") >= 1; }));
}

TEST_F(ApiTimeoutTest, SlowBodyIsDropped) {
  HttpConnection slow = Connect();
  ASSERT_TRUE(slow.Send("POST /pin HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\""));
  EXPECT_TRUE(slow.WaitClosed(5s));
  EXPECT_TRUE(testing::WaitFor([&] { return Metric("pinpipe_api_timeouts_total") == 1; }));
}

TEST_F(ApiTimeoutTest, IdleKeepAliveConnectionIsClosed) {
  HttpConnection conn = Connect();
  ASSERT_TRUE(conn.Send(BuildRequest("GET", "/healthz")));
  ASSERT_TRUE(conn.Read());
  EXPECT_TRUE(conn.WaitClosed(5s));
}

TEST_F(ApiServerTest, ConnectionsOverTheCapAreRefused) {
  server_.reset();
  ApiOptions o;
  o.max_connections = 2;
  Start(o);
  HttpConnection a = Connect();
  HttpConnection b = Connect();
  for (HttpConnection* c : {&a, &b}) {
    ASSERT_TRUE(c->Send(BuildRequest("GET", "/healthz")));
    ASSERT_TRUE(c->Read());
  }
  HttpConnection third = Connect();
  third.Send(BuildRequest("GET", "/healthz"));
  auto r = third.Read(5s);
  if (r) {
    EXPECT_EQ(r->status, 503);  // the refusal may be lost to a reset, never a 200
  }
  EXPECT_TRUE(third.WaitClosed(5s));
  EXPECT_EQ(Metric("pinpipe_api_connections_refused_total"), 1);
}

TEST_F(ApiServerTest, ShutdownFinishesInFlightRequestsAndRefusesNewOnes) {
  producer_.Hold();
  HttpConnection busy = Connect();
  HttpConnection idle = Connect();
  ASSERT_TRUE(idle.Send(BuildRequest("GET", "/healthz")));
  ASSERT_TRUE(idle.Read());
  ASSERT_TRUE(busy.Send(BuildRequest("POST", "/pin", kRecord)));
  ASSERT_TRUE(testing::WaitFor([&] { return producer_.waiting() == 1; }, 10s));
  auto done = std::async(std::launch::async, [&] { server_->Shutdown(10s); });
  ASSERT_TRUE(testing::WaitFor([&] { return !server_->ready(); }, 10s));
  EXPECT_TRUE(idle.WaitClosed(5s));
  producer_.Release();
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(HttpConnection::Connect(server_->port()).has_value());
  EXPECT_EQ(producer_.records().size(), 1u);
}

}  // namespace
}  // namespace pinpipe::ingest
