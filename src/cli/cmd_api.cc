// `pinpipe api`: the ingest API (DESIGN.md §4) in front of the bus. Opens the
// bus, creates the topic if needed, serves until SIGINT/SIGTERM, then drains:
// stop accepting, answer what is in flight, flush the bus, exit 0.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "bus/open_bus.h"
#include "cli/api_flags.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "cli/shutdown_signal.h"
#include "core/log.h"
#include "ingest/api_server.h"
#include "io/file_system.h"

namespace pinpipe::cli {
namespace {

constexpr char kApiCommand[] = "api";

struct ApiFlags {
  BusFlags bus;
  ApiServerFlags api;
  int64_t drain_timeout_ms = 30'000;
};

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

int RunApi(const ApiFlags& flags, const GlobalOptions& globals) {
  auto api_options = ApiServerOptions(flags.api);
  if (!api_options.ok()) return ReportError(kApiCommand, api_options.status());
  // Before any thread starts, so every thread inherits the blocked signals.
  ShutdownSignal& signal = ShutdownSignal::Install();

  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<bus::Producer> producer;
  Status st = OpenProducer(flags, globals, &bus, &producer);
  if (!st.ok()) return ReportError(kApiCommand, st);
  metrics::Registry registry;
  auto server = ingest::ApiServer::Start(*api_options, producer.get(), &registry, RealClock());
  if (!server.ok()) return ReportError(kApiCommand, server.status());
  auto& log = core::Log("api");
  log.info("event=api_ready port={} topic={} auth={}", (*server)->port(), flags.bus.topic,
           api_options->bearer_token.empty() ? "off" : "bearer");

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
  if (!st.ok()) return ReportError(kApiCommand, st.WithContext("flushing the bus"));
  log.info("event=api_exit");
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupApi(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<ApiFlags>();
  CLI::App* sub = app.add_subcommand(
      kApiCommand, "The ingest API: POST /pin and /pins answered once the records are durable in the bus");
  AddApiServerFlags(sub, &flags->api);
  AddBusFlags(sub, &flags->bus);
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
