// `pinpipe up`: the whole pipeline in one process on the embedded defaults:
// the ingest API, land (bus -> lake), stream (bus -> live table) and the
// daily batch scheduler, each on its own thread(s), one /metrics for all.
// Ctrl-C drains in data-flow order; a second Ctrl-C exits at once, which is
// safe because every stage is exactly-once from durable positions.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include "bus/open_bus.h"
#include "cli/api_flags.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "cli/scheduler_context.h"
#include "cli/shutdown_signal.h"
#include "core/log.h"
#include "ingest/api_server.h"
#include "io/file_system.h"
#include "jobs/land.h"
#include "jobs/streamer.h"
#include "lake/object_store.h"
#include "metrics/metrics.h"
#include "sinks/live_sink.h"

namespace pinpipe::cli {
namespace {

constexpr char kUpCommand[] = "up";

struct UpFlags {
  BusFlags bus;
  ApiServerFlags api;
  std::string lake;
  std::string sink;
  std::string warehouse;
  bool no_scheduler = false;
  SchedulerFlags scheduler;
  int64_t drain_timeout_ms = 30'000;
};

// The pipeline's long-lived parts, built before any thread starts.
struct Pipeline {
  metrics::Registry registry;
  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<bus::Producer> producer;
  std::unique_ptr<lake::ObjectStore> lake;
  std::vector<std::unique_ptr<sinks::LiveSink>> sinks;  // the stream's connections
  std::unique_ptr<jobs::Lander> lander;
  std::unique_ptr<jobs::Streamer> streamer;
  std::unique_ptr<SchedulerContext> scheduler;
};

Status OpenPipeline(const UpFlags& f, const GlobalOptions& g, Pipeline* p) {
  PINPIPE_RETURN_IF_ERROR(io::PosixFileSystem()->CreateDirs(g.data_dir));
  PINPIPE_ASSIGN_OR_RETURN(bus::BusOptions bus_options, MakeBusOptions(f.bus, g));
  PINPIPE_ASSIGN_OR_RETURN(p->bus, bus::OpenBus(bus_options));
  auto described = p->bus->DescribeTopic(f.bus.topic);
  if (!described.ok() && described.status().code() == StatusCode::kNotFound) {
    PINPIPE_RETURN_IF_ERROR(p->bus->CreateTopic(f.bus.topic, f.bus.partitions));
  } else if (!described.ok()) {
    return described.status().WithContext("describing topic " + f.bus.topic);
  }
  PINPIPE_ASSIGN_OR_RETURN(p->producer, p->bus->NewProducer(f.bus.topic));

  std::string lake_url = f.lake.empty() ? DefaultLakeUrl(g) : f.lake;
  auto lake = lake::OpenObjectStore(lake_url);
  if (!lake.ok()) return lake.status().WithContext("opening --lake " + lake_url);
  p->lake = std::move(lake).value();
  jobs::LanderOptions land_options;
  land_options.topic = f.bus.topic;
  PINPIPE_ASSIGN_OR_RETURN(p->lander,
                           jobs::Lander::Open(land_options, p->bus.get(), p->lake.get(), RealClock(), &p->registry));

  std::string sink_url = f.sink.empty() ? DefaultSinkUrl(g) : f.sink;
  auto connections = sinks::OpenLiveSinks(sink_url, {}, 0);
  if (!connections.ok()) return connections.status().WithContext("opening --sink " + sink_url);
  p->sinks = std::move(connections).value();
  std::vector<sinks::LiveSink*> lanes;
  for (auto& sink : p->sinks) lanes.push_back(sink.get());
  jobs::StreamerOptions stream_options;
  stream_options.topic = f.bus.topic;
  PINPIPE_ASSIGN_OR_RETURN(p->streamer,
                           jobs::Streamer::Open(stream_options, p->bus.get(), lanes, RealClock(), &p->registry));
  if (!f.no_scheduler) {
    SchedulerFlags sf = f.scheduler;
    sf.lake = f.lake;
    sf.warehouse = f.warehouse;
    PINPIPE_ASSIGN_OR_RETURN(p->scheduler, MakeSchedulerContext(sf, g, /*land_flush=*/false));
  }
  return Status::Ok();
}

// Runs `body` on a thread; a failure is logged and asks the process to stop.
std::jthread StartComponent(const char* name, std::function<Status(std::stop_token)> body,
                            std::atomic<int>* failures) {
  return std::jthread([name, body = std::move(body), failures](std::stop_token stop) {
    Status st = body(stop);
    if (!st.ok()) {
      core::Log(name).error("event=component_failed error={}", core::LogValue(st.ToString()));
      failures->fetch_add(1);
      ShutdownSignal::Install().Raise();
    }
  });
}

int RunUp(const UpFlags& f, const GlobalOptions& g) {
  auto api_options = ApiServerOptions(f.api);  // a bad token fails before anything opens
  if (!api_options.ok()) return ReportError(kUpCommand, api_options.status());
  ShutdownSignal& signal = ShutdownSignal::Install();
  Pipeline p;
  Status st = OpenPipeline(f, g, &p);
  if (!st.ok()) return ReportError(kUpCommand, st);

  std::atomic<int> failures{0};
  std::jthread land = StartComponent("land", [&](std::stop_token s) { return p.lander->Run(s); }, &failures);
  std::jthread stream =
      StartComponent("stream", [&](std::stop_token s) { return p.streamer->Run(s); }, &failures);
  std::jthread scheduler;
  if (p.scheduler) {
    scheduler = StartComponent("scheduler", [&](std::stop_token) { return p.scheduler->scheduler->RunForever(); },
                               &failures);
  }
  auto api = ingest::ApiServer::Start(*api_options, p.producer.get(), &p.registry, RealClock());
  if (!api.ok()) {
    signal.Raise();
    land.request_stop();
    stream.request_stop();
    return ReportError(kUpCommand, api.status().WithContext("starting the API on " + api_options->listen));
  }
  core::Log("up").info("event=up port={} data_dir={} scheduler={} auth={}", (*api)->port(),
                       core::LogValue(g.data_dir), p.scheduler ? "on" : "off",
                       api_options->bearer_token.empty() ? "off" : "bearer");
  std::fprintf(stderr,
               "pinpipe up: serving POST /pin, POST /pins, GET /metrics on port %d; data in %s. Ctrl-C to stop.\n",
               (*api)->port(), g.data_dir.c_str());

  signal.WaitFor(1, std::chrono::hours(24 * 365 * 100));
  // From here a second Ctrl-C exits at once: acknowledged records are
  // durable in the log, and land and stream resume from their positions.
  std::jthread second([&signal](std::stop_token stop) {
    while (!stop.stop_requested()) {
      if (signal.WaitFor(2, std::chrono::milliseconds(100))) {
        std::fprintf(stderr, "pinpipe up: second interrupt, exiting now\n");
        _exit(130);
      }
    }
  });
  core::Log("up").info("event=draining");
  auto timeout = std::chrono::milliseconds(f.drain_timeout_ms);
  (*api)->Shutdown(timeout);
  Status flushed = p.producer->Flush(timeout);
  if (!flushed.ok()) core::Log("up").error("event=flush_failed error={}", core::LogValue(flushed.ToString()));
  land.request_stop();
  stream.request_stop();
  land.join();
  stream.join();
  if (scheduler.joinable()) scheduler.join();
  // Land and stream everything the API accepted before stopping.
  Status landed = p.lander->RunOnce();
  auto streamed = p.streamer->RunOnce();
  int rc = kExitOk;
  if (!landed.ok()) rc = ReportError(kUpCommand, landed.WithContext("final land"));
  if (!streamed.ok()) rc = ReportError(kUpCommand, streamed.status().WithContext("final stream"));
  if (failures.load() > 0) rc = kExitFailure;
  core::Log("up").info("event=stopped exit_code={}", rc);
  return rc;
}

std::pair<CLI::App*, RunFn> SetupUp(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<UpFlags>();
  CLI::App* sub = app.add_subcommand(
      kUpCommand, "The whole pipeline in one process: api + land + stream + scheduler (Ctrl-C drains and exits)");
  AddBusFlags(sub, &flags->bus);
  AddApiServerFlags(sub, &flags->api);
  sub->add_option("--lake", flags->lake, "Lake URL (default file:<data-dir>/lake)");
  sub->add_option("--sink", flags->sink,
                  "Live table database: sqlite:<path> or postgresql://user@host:5432/db (default "
                  "sqlite:<data-dir>/live.db)");
  sub->add_option("--warehouse", flags->warehouse, "Warehouse for the daily batch (default sqlite:<data-dir>/warehouse.db)");
  sub->add_flag("--no-scheduler", flags->no_scheduler, "Do not run the daily batch scheduler");
  sub->add_option("--cron", flags->scheduler.cron, "When the daily batch runs (UTC)")->capture_default_str();
  sub->add_option("--drain-timeout-ms", flags->drain_timeout_ms, "How long Ctrl-C waits for in-flight requests")
      ->capture_default_str();
  sub->footer(
      "Example:\n"
      "  pinpipe up --data-dir ./pinpipe-data &\n"
      "  pinpipe emulate --target http://127.0.0.1:8000 --rate 500 --duration 30\n"
      "  kill -INT %1 && pinpipe batch --date $(date -u +%F) && pinpipe query 'SELECT count(*) FROM pins'\n"
      "  pinpipe up --sink postgresql://pinpipe@db:5432/pins --bus kafka://k1:9092,k2:9092");
  return {sub, [flags, &globals] { return RunUp(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(110, SetupUp);

}  // namespace
}  // namespace pinpipe::cli
