// A blocking HTTP/1.1 client for tests of pinpipe's HTTP servers: raw
// requests byte by byte (pipelining, chunked bodies, trickling clients) and
// responses read with deadlines. Not for product code.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pinpipe::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One TCP connection to 127.0.0.1. Move-only; closes on destruction.
class HttpConnection {
 public:
  // nullopt when the connection is refused.
  static std::optional<HttpConnection> Connect(int port);
  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&&) = delete;
  ~HttpConnection();

  // Writes every byte; false when the peer closed or reset.
  bool Send(std::string_view bytes);
  // The next response; nullopt on EOF, reset, or when `timeout` passes.
  // `head`: the request was HEAD, so no body follows the headers.
  std::optional<HttpResponse> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                   bool head = false);
  // True when the server closes the connection (EOF or reset) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  explicit HttpConnection(int fd) : fd_(fd) {}
  // Reads more bytes into buffer_; false on EOF/error/deadline.
  bool Fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// "METHOD target HTTP/1.1" with Host, Content-Length (when body is not
// empty or method is POST), and `headers` ("Name" -> value) as given.
std::string BuildRequest(std::string_view method, std::string_view target, std::string_view body = "",
                         const std::map<std::string, std::string>& headers = {});

// Connects, sends one request, reads one response. status 0 on failure.
HttpResponse HttpRequest(int port, std::string_view method, std::string_view target, std::string_view body = "",
                         const std::map<std::string, std::string>& headers = {});

}  // namespace pinpipe::testing
