#include "ingest/response.h"

#include <gtest/gtest.h>

namespace pinpipe::ingest {
namespace {

TEST(ResponseTest, SerializesStatusHeadersAndBody) {
  std::string out = "stale";
  ResponseHead head;
  head.status = 202;
  SerializeResponse(head, "{}", &out);
  EXPECT_EQ(out, "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(ResponseTest, OptionalHeaders) {
  std::string out;
  ResponseHead head;
  head.status = 503;
  head.keep_alive = false;
  head.retry_after_seconds = 2;
  SerializeResponse(head, "x", &out);
  EXPECT_EQ(out,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 1\r\n"
            "Retry-After: 2\r\nConnection: close\r\n\r\nx");
  head = ResponseHead();
  head.status = 405;
  head.allow = "POST";
  head.http10 = true;
  head.head_only = true;
  SerializeResponse(head, "abc", &out);
  EXPECT_EQ(out,
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
            "Allow: POST\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseTest, BodiesAreJsonWithEscapes) {
  EXPECT_EQ(ErrorBody("bad_request", "a \"quote\"\n"), R"({"error":"bad_request","detail":"a \"quote\"\n"})");
  pin::Rejection r{pin::RejectReason::kBadType, "title", "expected string"};
  EXPECT_EQ(RejectionBody(r), R"({"error":"bad_type","field":"title","detail":"expected string"})");
  r.field.clear();
  std::string line;
  AppendLineReject(7, r, &line);
  EXPECT_EQ(line, R"({"line":7,"reason":"bad_type","field":null,"detail":"expected string"})");
}

}  // namespace
}  // namespace pinpipe::ingest
