// `pinpipe stream [--once]`: the speed path, bus → clean → live table
// (pins_live) in SQLite or PostgreSQL, exactly once. Wires the bus, the sink,
// the optional metrics endpoint and Ctrl-C handling around jobs::Streamer.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "bus/open_bus.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "cli/stop_on_signal.h"
#include "core/log.h"
#include "io/file_system.h"
#include "jobs/streamer.h"
#include "metrics/metrics.h"
#include "metrics/metrics_endpoint.h"
#include "sinks/live_sink.h"

namespace pinpipe::cli {
namespace {

constexpr char kStreamCommand[] = "stream";

struct StreamFlags {
  BusFlags bus;
  std::string sink;
  bool once = false;
  std::string metrics_listen;
  size_t batch_records = 5000;
  size_t batch_bytes = 4u << 20;
  int64_t batch_delay_ms = 50;
  int64_t retry_max_ms = 10'000;
  bool sync_full = false;
  std::string pg_synchronous_commit = "on";
  int connections = 0;  // 0: sinks::DefaultLiveSinkConnections(url)
};

// The stream's connections to --sink (one per lane).
Result<std::vector<std::unique_ptr<sinks::LiveSink>>> OpenSinks(const std::string& url, const StreamFlags& flags) {
  if (url.starts_with("sqlite:")) {
    // SQLite creates the file, not its directory (e.g. a fresh --data-dir).
    PINPIPE_RETURN_IF_ERROR(io::PosixFileSystem()->CreateDirs(io::ParentDir(url.substr(7))));
  }
  sinks::LiveSinkOptions options;
  options.sqlite_sync_full = flags.sync_full;
  options.pg_synchronous_commit = flags.pg_synchronous_commit == "on";
  return sinks::OpenLiveSinks(url, options, flags.connections);
}

int RunStream(const StreamFlags& flags, const GlobalOptions& globals) {
  if (flags.batch_records == 0 || flags.batch_bytes == 0 || flags.batch_delay_ms < 0) {
    return UsageError(kStreamCommand, "--batch-records and --batch-bytes must be positive, --batch-delay-ms >= 0");
  }
  StopOnSignal signals("stream");
  auto bus_options = MakeBusOptions(flags.bus, globals);
  if (!bus_options.ok()) return ReportError(kStreamCommand, bus_options.status());
  auto bus = bus::OpenBus(*bus_options);
  if (!bus.ok()) return ReportError(kStreamCommand, bus.status().WithContext("opening the bus"));
  std::string url = flags.sink.empty() ? DefaultSinkUrl(globals) : flags.sink;
  auto connections = OpenSinks(url, flags);
  if (!connections.ok()) return ReportError(kStreamCommand, connections.status().WithContext("opening --sink " + url));
  std::vector<sinks::LiveSink*> lanes;
  for (auto& sink : *connections) lanes.push_back(sink.get());

  metrics::Registry registry;
  jobs::StreamerOptions options;
  options.topic = flags.bus.topic;
  options.create_partitions = flags.bus.partitions;
  options.max_batch_records = flags.batch_records;
  options.max_batch_bytes = flags.batch_bytes;
  options.max_batch_delay = std::chrono::milliseconds(flags.batch_delay_ms);
  options.retry_max = std::chrono::milliseconds(std::max<int64_t>(flags.retry_max_ms, 1));
  auto streamer = jobs::Streamer::Open(options, bus->get(), lanes, RealClock(), &registry);
  if (!streamer.ok()) return ReportError(kStreamCommand, streamer.status());

  std::unique_ptr<metrics::MetricsEndpoint> endpoint;
  if (!flags.metrics_listen.empty()) {
    jobs::Streamer* s = streamer->get();
    auto started =
        metrics::MetricsEndpoint::Start(flags.metrics_listen, &registry, [s] { return s->ready(); });
    if (!started.ok()) return ReportError(kStreamCommand, started.status().WithContext("--metrics-listen"));
    endpoint = std::move(started).value();
    core::Log("stream").info("event=metrics_listening port={}", endpoint->port());
  }

  if (flags.once) {
    auto summary = (*streamer)->RunOnce(signals.token());
    if (!summary.ok()) return ReportError(kStreamCommand, summary.status());
    std::printf("stream: %lld records -> %lld rows, %lld dead letters, in %lld batches (%lld retries)\n",
                static_cast<long long>(summary->records), static_cast<long long>(summary->rows),
                static_cast<long long>(summary->dead_letters), static_cast<long long>(summary->batches),
                static_cast<long long>(summary->retries));
    return kExitOk;
  }
  Status st = (*streamer)->Run(signals.token());
  if (!st.ok()) return ReportError(kStreamCommand, st);
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupStream(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<StreamFlags>();
  CLI::App* sub = app.add_subcommand(
      kStreamCommand, "Bus -> clean -> live table (pins_live, pins_rejected, pinpipe_offsets), exactly once");
  AddBusFlags(sub, &flags->bus);
  sub->add_option("--sink", flags->sink,
                  "Live table database: sqlite:<path> or postgresql://user@host:5432/db (password from "
                  "PGPASSWORD or ~/.pgpass) (default sqlite:<data-dir>/live.db)");
  sub->add_flag("--once", flags->once,
                "Drain what the topic holds now (up to its end offsets at start), then exit");
  sub->add_option("--metrics-listen", flags->metrics_listen,
                  "Serve /metrics, /healthz, /readyz on host:port (off by default)");
  sub->add_option("--batch-records", flags->batch_records, "Commit a micro-batch at this many records")
      ->capture_default_str();
  sub->add_option("--batch-bytes", flags->batch_bytes, "... or at this many raw bytes")
      ->capture_default_str();
  sub->add_option("--batch-delay-ms", flags->batch_delay_ms,
                  "... or when its first record has waited this long (latency bound at low rates)")
      ->capture_default_str();
  sub->add_option("--retry-max-ms", flags->retry_max_ms,
                  "Longest pause between retries while the database or bus is down")
      ->capture_default_str();
  sub->add_flag("--sqlite-sync-full", flags->sync_full,
                "SQLite: fsync every commit (default NORMAL: a power cut may undo the last commits, "
                "rows and positions together, which are then streamed again)");
  sub->add_option("--pg-synchronous-commit", flags->pg_synchronous_commit,
                  "PostgreSQL: off lets COMMIT return before its WAL is flushed (a server crash may undo the "
                  "last commits, rows and positions together, which are then streamed again)")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  sub->add_option("--connections", flags->connections,
                  "Sink connections committing at once, each for its share of the partitions "
                  "(default: 2 for PostgreSQL, 1 for SQLite, whose writers take turns)")
      ->check(CLI::Range(1, 64));
  sub->footer(
      "Example:\n"
      "  pinpipe stream --once                      # drain into sqlite:<data-dir>/live.db and exit\n"
      "  PGPASSWORD=secret pinpipe stream --sink postgresql://pinpipe@db.internal:5432/pins \\\n"
      "      --metrics-listen 127.0.0.1:9102");
  return {sub, [flags, &globals] { return RunStream(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(90, SetupStream);

}  // namespace
}  // namespace pinpipe::cli
