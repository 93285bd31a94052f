// HTTP/1.1 responses of the ingest API, serialized straight into a reusable
// buffer (no per-response header map), and the JSON bodies they carry.
#pragma once

#include <string>
#include <string_view>

#include "pin/pin.h"

namespace pinpipe::ingest {

struct ResponseHead {
  int status = 200;
  std::string_view content_type = "application/json";
  bool keep_alive = true;
  bool http10 = false;          // a 1.0 client wants "Connection: keep-alive" spelled out
  int retry_after_seconds = 0;  // > 0 adds Retry-After
  std::string_view allow;       // non-empty adds Allow (405)
  bool head_only = false;       // HEAD: Content-Length of the body, no body bytes
};

// Writes status line, headers and body into *out (cleared first).
void SerializeResponse(const ResponseHead& head, std::string_view body, std::string* out);

// "Accepted", "Not Found", ... for the codes the API uses.
std::string_view ReasonPhrase(int status);

// {"error":"<code>","detail":"<detail>"}
std::string ErrorBody(std::string_view code, std::string_view detail);

// {"error":"<reason>","field":"<field>"|null,"detail":"<detail>"}
std::string RejectionBody(const pin::Rejection& rejection);

// {"line":N,"reason":…,"field":…|null,"detail":…} appended to *out.
void AppendLineReject(int64_t line, const pin::Rejection& rejection, std::string* out);

}  // namespace pinpipe::ingest
