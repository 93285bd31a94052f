// Response serialization and JSON error bodies.
#include "ingest/response.h"

#include <fmt/format.h>

namespace pinpipe::ingest {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void SerializeResponse(const ResponseHead& head, std::string_view body, std::string* out) {
  out->clear();
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", head.status,
                 ReasonPhrase(head.status), head.content_type, body.size());
  if (head.retry_after_seconds > 0) fmt::format_to(it, "Retry-After: {}\r\n", head.retry_after_seconds);
  if (!head.allow.empty()) fmt::format_to(it, "Allow: {}\r\n", head.allow);
  if (head.status == 401) out->append("WWW-Authenticate: Bearer\r\n");
  if (!head.keep_alive) {
    out->append("Connection: close\r\n");
  } else if (head.http10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  if (!head.head_only) out->append(body);
}

std::string ErrorBody(std::string_view code, std::string_view detail) {
  std::string out = "{\"error\":";
  pin::AppendJsonString(code, &out);
  out.append(",\"detail\":");
  pin::AppendJsonString(detail, &out);
  out.push_back('}');
  return out;
}

namespace {

// `"field":"<field>"|null,"detail":"<detail>"`
void AppendFieldAndDetail(const pin::Rejection& rejection, std::string* out) {
  out->append("\"field\":");
  if (rejection.field.empty()) {
    out->append("null");
  } else {
    pin::AppendJsonString(rejection.field, out);
  }
  out->append(",\"detail\":");
  pin::AppendJsonString(rejection.detail, out);
}

}  // namespace

std::string RejectionBody(const pin::Rejection& rejection) {
  std::string out = "{\"error\":";
  pin::AppendJsonString(pin::RejectReasonName(rejection.reason), &out);
  out.push_back(',');
  AppendFieldAndDetail(rejection, &out);
  out.push_back('}');
  return out;
}

void AppendLineReject(int64_t line, const pin::Rejection& rejection, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "{{\"line\":{},\"reason\":", line);
  pin::AppendJsonString(pin::RejectReasonName(rejection.reason), out);
  out->push_back(',');
  AppendFieldAndDetail(rejection, out);
  out->push_back('}');
}

}  // namespace pinpipe::ingest
