// `pinpipe land [--once]`: bus -> lake raw zone, exactly once (jobs::Lander),
// with Ctrl-C handling and an optional /metrics endpoint.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "bus/open_bus.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "cli/stop_on_signal.h"
#include "core/log.h"
#include "jobs/land.h"
#include "lake/object_store.h"
#include "metrics/metrics.h"
#include "metrics/metrics_endpoint.h"

namespace pinpipe::cli {
namespace {

constexpr char kLandCommand[] = "land";

struct LandFlags {
  BusFlags bus;
  std::string lake;
  std::string dataset;  // empty: the topic name
  bool once = false;
  std::string metrics_listen;
  int64_t max_file_mib = 64;
  int64_t max_file_age_s = 60;
  int64_t lateness_s = 10;
  int zstd_level = 1;
};

void PrintSummary(const jobs::LanderStats& s) {
  double per_record = s.records > 0 ? static_cast<double>(s.compressed_bytes) / static_cast<double>(s.records) : 0;
  std::printf("land: %lld records -> %lld objects (%.1f MB compressed, %.1f bytes/record), %lld hours marked complete\n",
              static_cast<long long>(s.records), static_cast<long long>(s.files),
              static_cast<double>(s.compressed_bytes) / 1e6, per_record, static_cast<long long>(s.success_markers));
  if (s.late_records > 0) {
    std::printf("land: %lld late records (their hour was already marked complete)\n",
                static_cast<long long>(s.late_records));
  }
}

int RunLand(const LandFlags& flags, const GlobalOptions& globals) {
  if (flags.max_file_mib <= 0 || flags.max_file_age_s <= 0 || flags.lateness_s < 0) {
    return UsageError(kLandCommand, "--max-file-mib and --max-file-age-s must be positive, --lateness-s >= 0");
  }
  StopOnSignal signals("land");
  auto bus_options = MakeBusOptions(flags.bus, globals);
  if (!bus_options.ok()) return ReportError(kLandCommand, bus_options.status());
  auto bus = bus::OpenBus(*bus_options);
  if (!bus.ok()) return ReportError(kLandCommand, bus.status().WithContext("opening the bus"));
  std::string lake_url = flags.lake.empty() ? DefaultLakeUrl(globals) : flags.lake;
  auto store = lake::OpenObjectStore(lake_url);
  if (!store.ok()) return ReportError(kLandCommand, store.status().WithContext("opening --lake " + lake_url));

  metrics::Registry registry;
  jobs::LanderOptions options;
  options.topic = flags.bus.topic;
  options.dataset = flags.dataset.empty() ? flags.bus.topic : flags.dataset;
  options.create_partitions = flags.bus.partitions;
  options.max_file_bytes = static_cast<uint64_t>(flags.max_file_mib) << 20;
  options.max_file_age_micros = flags.max_file_age_s * kMicrosPerSecond;
  options.lateness_micros = flags.lateness_s * kMicrosPerSecond;
  options.zstd_level = flags.zstd_level;
  auto lander = jobs::Lander::Open(options, bus->get(), store->get(), RealClock(), &registry);
  if (!lander.ok()) return ReportError(kLandCommand, lander.status());

  std::unique_ptr<metrics::MetricsEndpoint> endpoint;
  if (!flags.metrics_listen.empty()) {
    auto started = metrics::MetricsEndpoint::Start(flags.metrics_listen, &registry, nullptr);
    if (!started.ok()) return ReportError(kLandCommand, started.status().WithContext("--metrics-listen"));
    endpoint = std::move(started).value();
    core::Log("land").info("event=metrics_listening port={}", endpoint->port());
  }

  Status st = flags.once ? (*lander)->RunOnce(signals.token()) : (*lander)->Run(signals.token());
  if (!st.ok()) return ReportError(kLandCommand, st);
  PrintSummary((*lander)->stats());
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupLand(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<LandFlags>();
  CLI::App* sub = app.add_subcommand(
      kLandCommand, "Bus -> lake raw zone (raw/<topic>/dt=/hr=/p=/<first>-<last>.ndjson.zst), exactly once");
  AddBusFlags(sub, &flags->bus);
  sub->add_option("--lake", flags->lake,
                  "Lake URL: file:<dir> (s3:// comes later) (default file:<data-dir>/lake)");
  sub->add_option("--dataset", flags->dataset, "Key prefix raw/<dataset>/ (default: the topic name)");
  sub->add_flag("--once", flags->once, "Land everything the topic holds now, close every object, then exit");
  sub->add_option("--metrics-listen", flags->metrics_listen,
                  "Serve /metrics, /healthz, /readyz on host:port (off by default)");
  sub->add_option("--max-file-mib", flags->max_file_mib, "Close an object at this many MiB uncompressed")
      ->capture_default_str();
  sub->add_option("--max-file-age-s", flags->max_file_age_s,
                  "... or this many seconds after its first record (idle partitions still flush)")
      ->capture_default_str();
  sub->add_option("--lateness-s", flags->lateness_s,
                  "Mark an hour _SUCCESS this long after it ended (records in flight may still arrive)")
      ->capture_default_str();
  sub->add_option("--zstd-level", flags->zstd_level, "zstd compression level")
      ->check(CLI::Range(1, 19))
      ->capture_default_str();
  sub->footer(
      "Example:\n"
      "  pinpipe land --once                 # land what the log holds into <data-dir>/lake, then exit\n"
      "  pinpipe land --metrics-listen 127.0.0.1:9101\n"
      "  zstdcat pinpipe-data/lake/raw/pins/dt=2026-11-26/hr=10/p=0/*.zst | jq -r .raw | head");
  return {sub, [flags, &globals] { return RunLand(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(60, SetupLand);

}  // namespace
}  // namespace pinpipe::cli
