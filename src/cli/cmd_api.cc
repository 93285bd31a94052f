// `pinpipe api`: the ingest API (DESIGN.md §4) in front of the bus. Opens the
// bus, creates the topic if needed, serves until SIGINT/SIGTERM, then drains:
// stop accepting, answer what is in flight, flush the bus, exit 0.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "bus/open_bus.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "cli/shutdown_signal.h"
#include "core/log.h"
#include "ingest/api_server.h"
#include "io/file_system.h"

namespace pinpipe::cli {
namespace {

constexpr char kCommand[] = "api";

struct ApiFlags {
  BusFlags bus;
  ingest::ApiOptions server;
  std::string token_file;
  std::string api_token;  // normally from PINPIPE_API_TOKEN
  int64_t drain_timeout_ms = 30'000;
};

// The bearer token from --token-file or --api-token/PINPIPE_API_TOKEN; empty = no auth.
Result<std::string> LoadToken(const ApiFlags& flags) {
  if (!flags.token_file.empty() && !flags.api_token.empty()) {
    return Status::InvalidArgument("give the token once: --token-file or PINPIPE_API_TOKEN, not both");
  }
  std::string token = flags.api_token;
  if (!flags.token_file.empty()) {
    auto text = io::ReadFileToString(io::PosixFileSystem(), flags.token_file);
    if (!text.ok()) return text.status().WithContext("--token-file");
    token = std::move(text).value();
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("the API token must not contain whitespace");
  }
  if ((!flags.token_file.empty() || !flags.api_token.empty()) && token.empty()) {
    return Status::InvalidArgument("the API token is empty");
  }
  return token;
}

// Opens the bus and the topic's producer; creates the topic when missing.
Status OpenProducer(const ApiFlags& flags, const GlobalOptions& globals, std::unique_ptr<bus::Bus>* bus,
                    std::unique_ptr<bus::Producer>* producer) {
  PINPIPE_ASSIGN_OR_RETURN(bus::BusOptions options, MakeBusOptions(flags.bus, globals));
  PINPIPE_ASSIGN_OR_RETURN(*bus, bus::OpenBus(options));
  auto described = (*bus)->DescribeTopic(flags.bus.topic);
  if (!described.ok() && described.status().code() == StatusCode::kNotFound) {
    PINPIPE_RETURN_IF_ERROR((*bus)->CreateTopic(flags.bus.topic, flags.bus.partitions));
  } else if (!described.ok()) {
    return described.status();
  }
  PINPIPE_ASSIGN_OR_RETURN(*producer, (*bus)->NewProducer(flags.bus.topic));
  return Status::Ok();
}

int RunApi(ApiFlags& flags, const GlobalOptions& globals) {
  auto token = LoadToken(flags);
  if (!token.ok()) return ReportError(kCommand, token.status());
  flags.server.bearer_token = *token;
  // Before any thread starts, so every thread inherits the blocked signals.
  ShutdownSignal& signal = ShutdownSignal::Install();

  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<bus::Producer> producer;
  Status st = OpenProducer(flags, globals, &bus, &producer);
  if (!st.ok()) return ReportError(kCommand, st);
  metrics::Registry registry;
  auto server = ingest::ApiServer::Start(flags.server, producer.get(), &registry, RealClock());
  if (!server.ok()) return ReportError(kCommand, server.status());
  auto& log = core::Log("api");
  log.info("event=api_ready port={} topic={} auth={}", (*server)->port(), flags.bus.topic,
           flags.server.bearer_token.empty() ? "off" : "bearer");

  while (!signal.WaitFor(1, std::chrono::hours(24))) {
  }
  // A second signal while draining exits at once. Still safe: every record
  // acknowledged so far is already durable.
  std::thread([&signal] {
    signal.WaitFor(2, std::chrono::hours(24 * 365));
    std::fprintf(stderr, "pinpipe api: second signal, exiting without draining\n");
    std::_Exit(kExitFailure);
  }).detach();
  auto drain = std::chrono::milliseconds(flags.drain_timeout_ms);
  (*server)->Shutdown(drain);
  st = producer->Flush(drain);
  server->reset();
  producer.reset();
  bus.reset();
  if (!st.ok()) return ReportError(kCommand, st.WithContext("flushing the bus"));
  log.info("event=api_exit");
  return kExitOk;
}

void AddLimitFlags(CLI::App* sub, ingest::ApiOptions* o) {
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

std::pair<CLI::App*, RunFn> SetupApi(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<ApiFlags>();
  CLI::App* sub = app.add_subcommand(
      kCommand, "The ingest API: POST /pin and /pins answered once the records are durable in the bus");
  sub->add_option("--listen", flags->server.listen, "host:port to serve on (port 0: any free port)")
      ->capture_default_str();
  AddBusFlags(sub, &flags->bus);
  sub->add_option("--io-threads", flags->server.io_threads, "HTTP threads (0: half the cores, at least 1)")->capture_default_str();
  sub->add_option("--token-file", flags->token_file,
                  "File holding a bearer token that POST requests must send (Authorization: Bearer <token>)");
  sub->add_option("--api-token", flags->api_token,
                  "The bearer token itself; prefer the env var PINPIPE_API_TOKEN (flags show in ps)");
  AddLimitFlags(sub, &flags->server);
  sub->add_option("--drain-timeout-ms", flags->drain_timeout_ms,
                  "On SIGINT/SIGTERM, how long in-flight requests and the bus flush may take")
      ->capture_default_str();
  sub->footer(
      "Routes: POST /pin (one JSON record), POST /pins (NDJSON or a JSON array), GET /healthz, /readyz, /metrics.\n"
      "See docs/api.md for bodies, status codes and limits.\n\n"
      "Example:\n"
      "  pinpipe api --listen 127.0.0.1:8000 &\n"
      "  curl -s -H 'Content-Type: application/json' -d \"$(pinpipe gen --count 1)\" localhost:8000/pin\n"
      "  PINPIPE_API_TOKEN=s3cret pinpipe api --bus kafka://127.0.0.1:9092");
  return {sub, [flags, &globals] { return RunApi(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(40, SetupApi);

}  // namespace
}  // namespace pinpipe::cli
