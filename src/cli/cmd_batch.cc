// `pinpipe batch --date D`: lake raw zone of D -> clean -> dedupe ->
// warehouse (replacing D) and lake clean zone; prints the reconciliation,
// warns when D is incomplete, and draws a progress bar on a terminal.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command.h"
#include "io/file_system.h"
#include "jobs/batch.h"
#include "jobs/batch_verify.h"
#include "lake/object_store.h"
#include "sinks/warehouse.h"

namespace pinpipe::cli {
namespace {

constexpr char kBatchCommand[] = "batch";

struct BatchFlags {
  std::string date;
  std::string lake;
  std::string warehouse;
  std::string dataset = "pins";
  int threads = 0;  // 0: one per core (at least 2)
  int zstd_level = 1;
  bool no_progress = false;
  bool verify = false;
  int cache_mib = sinks::WarehouseOptions{}.cache_mib;
};

// Redraws one stderr line at most ten times a second.
class ProgressBar {
 public:
  void Update(const jobs::BatchProgress& p) {
    auto now = std::chrono::steady_clock::now();
    bool done = p.objects_done == p.objects_total;
    if (!done && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double fraction = p.bytes_total > 0 ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1;
    int filled = static_cast<int>(fraction * 30);
    std::string bar(filled, '#');
    bar.append(30 - filled, '-');
    std::fprintf(stderr, "\r[%s] %3d%%  %lld/%lld objects  %lld records", bar.c_str(), static_cast<int>(fraction * 100),
                 static_cast<long long>(p.objects_done), static_cast<long long>(p.objects_total),
                 static_cast<long long>(p.records));
    drawn_ = true;
  }
  // Erases the bar so the report starts on a clean line.
  void Clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

Result<std::unique_ptr<sinks::Warehouse>> OpenWarehouseFor(const std::string& url, bool read_only, int cache_mib) {
  sinks::WarehouseOptions options;
  options.read_only = read_only;
  options.cache_mib = cache_mib;
  if (!read_only && url.starts_with("sqlite:")) {
    // SQLite creates the file, not its directory (e.g. a fresh --data-dir).
    PINPIPE_RETURN_IF_ERROR(io::PosixFileSystem()->CreateDirs(io::ParentDir(url.substr(7))));
  }
  return sinks::OpenWarehouse(url, options);
}

// --verify: re-count the lake against the warehouse; exit 1 on a mismatch.
int RunVerify(const jobs::BatchOptions& options, lake::ObjectStore* store, sinks::Warehouse* warehouse) {
  auto report = jobs::VerifyBatch(options, store, warehouse);
  if (!report.ok()) return ReportError(kBatchCommand, report.status());
  std::fputs(report->Format().c_str(), stdout);
  if (!report->Ok()) {
    std::fprintf(stderr, "pinpipe batch: verify failed for dt=%s: the warehouse does not match the lake\n",
                 options.date.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

int RunBatchCommand(const BatchFlags& flags, const GlobalOptions& globals) {
  if (flags.date.empty()) return UsageError(kBatchCommand, "--date YYYY-MM-DD is required");
  if (flags.threads < 0) return UsageError(kBatchCommand, "--threads must be >= 0");
  std::string lake_url = flags.lake.empty() ? DefaultLakeUrl(globals) : flags.lake;
  auto store = lake::OpenObjectStore(lake_url);
  if (!store.ok()) return ReportError(kBatchCommand, store.status().WithContext("opening --lake " + lake_url));
  std::string warehouse_url = flags.warehouse.empty() ? DefaultWarehouseUrl(globals) : flags.warehouse;
  auto warehouse = OpenWarehouseFor(warehouse_url, flags.verify, flags.cache_mib);
  if (!warehouse.ok()) {
    return ReportError(kBatchCommand, warehouse.status().WithContext("opening --warehouse " + warehouse_url));
  }

  jobs::BatchOptions options;
  options.date = flags.date;
  options.dataset = flags.dataset;
  options.threads = flags.threads > 0 ? flags.threads : std::max(2u, std::thread::hardware_concurrency());
  options.zstd_level = flags.zstd_level;
  if (flags.verify) return RunVerify(options, store->get(), warehouse->get());
  ProgressBar bar;
  if (!flags.no_progress && ::isatty(STDERR_FILENO)) {
    options.progress = [&bar](const jobs::BatchProgress& p) { bar.Update(p); };
  }
  auto report = jobs::RunBatch(options, store->get(), warehouse->get(), RealClock(), nullptr);
  bar.Clear();
  if (!report.ok()) return ReportError(kBatchCommand, report.status());
  std::fputs(report->Format().c_str(), stdout);
  std::string warning = report->MissingHoursWarning();
  if (!warning.empty()) std::fprintf(stderr, "pinpipe batch: warning: %s\n", warning.c_str());
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupBatch(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<BatchFlags>();
  CLI::App* sub = app.add_subcommand(
      kBatchCommand, "Lake raw zone of one date -> clean -> dedupe -> warehouse (replacing the date) + lake clean zone");
  sub->add_option("--date", flags->date, "The UTC date to (re)build, YYYY-MM-DD (required)");
  sub->add_option("--lake", flags->lake, "Lake URL: file:<dir> (default file:<data-dir>/lake)");
  sub->add_option("--warehouse", flags->warehouse,
                  "Warehouse URL: sqlite:<path> (clickhouse:// comes later) (default sqlite:<data-dir>/warehouse.db)");
  sub->add_option("--dataset", flags->dataset, "Key prefix raw/<dataset>/ and clean/<dataset>/")
      ->capture_default_str();
  sub->add_option("--threads", flags->threads,
                  "Workers reading and cleaning the date's lines (0: one per core, at least 2); one more thread "
                  "compresses the clean zone")
      ->capture_default_str();
  sub->add_option("--zstd-level", flags->zstd_level, "zstd level of the clean zone")
      ->check(CLI::Range(1, 19))
      ->capture_default_str();
  sub->add_option("--cache-mib", flags->cache_mib,
                  "SQLite page cache for the load, MiB (larger was not faster in bench/40-batch.sh; peak RSS grows with it)")
      ->check(CLI::Range(8, 65536))
      ->capture_default_str();
  sub->add_flag("--no-progress", flags->no_progress, "Never draw the progress bar (it is drawn only on a terminal)");
  sub->add_flag("--verify", flags->verify,
                "Write nothing: re-count the date's raw zone against the warehouse (distinct ids, newest "
                "versions, rejects); exit 1 on a mismatch");
  sub->footer(
      "Example:\n"
      "  pinpipe batch --date 2026-11-26\n"
      "  pinpipe batch --date 2026-11-26 --verify\n"
      "  pinpipe query \"SELECT category, count(*) FROM pins WHERE dt = '2026-11-26' GROUP BY 1 ORDER BY 2 DESC\"");
  return {sub, [flags, &globals] { return RunBatchCommand(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(70, SetupBatch);

}  // namespace
}  // namespace pinpipe::cli
