#include "cli/api_flags.h"

#include "io/file_system.h"

namespace pinpipe::cli {
namespace {

Result<std::string> LoadToken(const ApiServerFlags& flags) {
  if (!flags.token_file.empty() && !flags.api_token.empty()) {
    return Status::InvalidArgument("give the token once: --token-file or PINPIPE_API_TOKEN, not both");
  }
  std::string token = flags.api_token;
  if (!flags.token_file.empty()) {
    auto text = io::ReadFileToString(io::PosixFileSystem(), flags.token_file);
    if (!text.ok()) return text.status().WithContext("--token-file");
    token = std::move(text).value();
  }
  // A token file usually ends with a newline; inner whitespace is a mistake.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("the API token must not contain whitespace");
  }
  if ((!flags.token_file.empty() || !flags.api_token.empty()) && token.empty()) {
    return Status::InvalidArgument("the API token is empty");
  }
  return token;
}

}  // namespace

void AddApiServerFlags(CLI::App* sub, ApiServerFlags* flags) {
  ingest::ApiOptions* o = &flags->server;
  sub->add_option("--listen", o->listen, "API address host:port (port 0: any free port)")->capture_default_str();
  sub->add_option("--io-threads", o->io_threads, "HTTP threads (0: half the cores, at least 1)")
      ->capture_default_str();
  sub->add_option("--token-file", flags->token_file,
                  "File holding a bearer token that POST requests must send (Authorization: Bearer <token>)");
  sub->add_option("--api-token", flags->api_token,
                  "The bearer token itself; prefer the env var PINPIPE_API_TOKEN (flags show in ps)");
  sub->add_option("--max-body-bytes", o->max_pin_body_bytes, "Largest POST /pin body (else 413)")
      ->capture_default_str();
  sub->add_option("--max-batch-bytes", o->max_pins_body_bytes, "Largest POST /pins body (else 413)")
      ->capture_default_str();
  sub->add_option("--max-batch-records", o->max_batch_records, "Most records in one POST /pins (else 413)")
      ->capture_default_str();
  sub->add_option("--max-connections", o->max_connections, "Open connections; more get 503 and are closed")
      ->capture_default_str();
  sub->add_option("--max-inflight-bytes", o->max_inflight_body_bytes,
                  "Request bodies held at once, all connections (else 503 + Retry-After)")
      ->capture_default_str();
  sub->add_option("--header-timeout-ms", o->header_timeout_ms, "First byte to end of headers")->capture_default_str();
  sub->add_option("--body-timeout-ms", o->body_timeout_ms, "End of headers to end of body")->capture_default_str();
  sub->add_option("--idle-timeout-ms", o->idle_timeout_ms, "Keep-alive wait for the next request")
      ->capture_default_str();
}

Result<ingest::ApiOptions> ApiServerOptions(const ApiServerFlags& flags) {
  PINPIPE_ASSIGN_OR_RETURN(std::string token, LoadToken(flags));
  ingest::ApiOptions options = flags.server;
  options.bearer_token = std::move(token);
  return options;
}

}  // namespace pinpipe::cli
