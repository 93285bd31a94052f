// `pinpipe emulate`: the user-posting emulator. Replays generated records (or
// an NDJSON file) against the ingest API at a rate or flat out, shows live
// progress on stderr and prints a final report; --acked-out lists every
// record the API acknowledged (what a crash test checks against the log).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command.h"
#include "cli/shutdown_signal.h"
#include "emulate/emulator.h"
#include "emulate/emulator_report.h"
#include "emulate/record_source.h"
#include "io/file_system.h"
#include "pin/pin.h"

namespace pinpipe::cli {
namespace {

constexpr char kEmulateCommand[] = "emulate";

struct EmulateFlags {
  std::string target;
  double rate = 0;
  bool max = false;
  int64_t count = -1;
  double duration_s = 0;
  int concurrency = 8;
  int batch = 1;
  int threads = 1;
  std::string input;
  std::string report_json;
  std::string acked_out;
  std::string token_file;
  std::string api_token;
  int64_t timeout_ms = 30'000;
  emulate::GeneratorOptions generator;
};

// Buffers acknowledged-record lines and writes them to a file.
class AckFile {
 public:
  static Result<std::unique_ptr<AckFile>> Open(const std::string& path) {
    PINPIPE_ASSIGN_OR_RETURN(auto file, io::PosixFileSystem()->NewWritableFile(path));
    auto out = std::unique_ptr<AckFile>(new AckFile());
    out->file_ = std::move(file);
    return out;
  }
  // Called serialized by the emulator.
  void Add(const emulate::Ack& ack) {
    buffer_.append("{\"unique_id\":");
    pin::AppendJsonString(ack.unique_id, &buffer_);
    if (ack.partition >= 0) {
      buffer_.append(",\"partition\":").append(std::to_string(ack.partition));
      buffer_.append(",\"offset\":").append(std::to_string(ack.offset));
    }
    buffer_.append("}\n");
    if (buffer_.size() >= (1u << 20)) Drain();
  }
  Status Close() {
    Drain();
    if (status_.ok()) status_ = file_->Sync();
    if (status_.ok()) status_ = file_->Close();
    return status_;
  }

 private:
  void Drain() {
    if (status_.ok()) status_ = file_->Append(buffer_);
    buffer_.clear();
  }
  std::unique_ptr<io::WritableFile> file_;
  std::string buffer_;
  Status status_;
};

Result<std::string> LoadToken(const EmulateFlags& f) {
  if (!f.token_file.empty() && !f.api_token.empty()) {
    return Status::InvalidArgument("give the token once: --token-file or PINPIPE_API_TOKEN, not both");
  }
  if (f.token_file.empty()) return f.api_token;
  PINPIPE_ASSIGN_OR_RETURN(std::string token, io::ReadFileToString(io::PosixFileSystem(), f.token_file));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

Result<emulate::EmulatorOptions> MakeOptions(const EmulateFlags& f) {
  emulate::EmulatorOptions o;
  if (f.target.empty()) return Status::InvalidArgument("--target URL is required, e.g. --target http://127.0.0.1:8000");
  PINPIPE_ASSIGN_OR_RETURN(o.target, emulate::ParseTargetUrl(f.target));
  if (f.max && f.rate > 0) return Status::InvalidArgument("give --rate R or --max, not both");
  if (f.count >= 0 && f.duration_s > 0) return Status::InvalidArgument("give --count N or --duration S, not both");
  if (f.generator.bad_rate < 0 || f.generator.bad_rate > 1 || f.generator.duplicate_rate < 0 ||
      f.generator.duplicate_rate > 1) {
    return Status::InvalidArgument("--bad-rate and --duplicate-rate must be between 0 and 1");
  }
  o.rate = f.max ? 0 : f.rate;
  o.count = f.count;
  o.duration_ms = static_cast<int64_t>(f.duration_s * 1000);
  o.concurrency = f.concurrency;
  o.batch = f.batch;
  o.threads = f.threads;
  o.request_timeout_ms = f.timeout_ms;
  o.want_acks = !f.acked_out.empty();
  o.progress_interval_ms = ::isatty(STDERR_FILENO) ? 1000 : 5000;
  PINPIPE_ASSIGN_OR_RETURN(o.bearer_token, LoadToken(f));
  return o;
}

int RunEmulate(const EmulateFlags& f) {
  auto options = MakeOptions(f);
  if (!options.ok()) return ReportError(kEmulateCommand, options.status());
  ShutdownSignal& signal = ShutdownSignal::Install();  // before any thread starts
  std::unique_ptr<emulate::RecordSource> source;
  if (f.input.empty()) {
    source = emulate::GeneratedRecords(f.generator);
  } else {
    auto file = emulate::FileRecords(io::PosixFileSystem(), f.input);
    if (!file.ok()) return ReportError(kEmulateCommand, file.status().WithContext("--input"));
    source = std::move(file).value();
  }
  std::unique_ptr<AckFile> acks;
  if (!f.acked_out.empty()) {
    auto opened = AckFile::Open(f.acked_out);
    if (!opened.ok()) return ReportError(kEmulateCommand, opened.status().WithContext("--acked-out"));
    acks = std::move(opened).value();
  }

  std::atomic<bool> cancel{false};
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished.load()) {
      if (signal.WaitFor(1, std::chrono::milliseconds(200))) cancel = true;
    }
  });
  bool tty = ::isatty(STDERR_FILENO) != 0;
  emulate::EmulatorHooks hooks;
  hooks.cancel = &cancel;
  hooks.on_progress = [tty](const emulate::EmulatorCounts& c) {
    std::string line = emulate::ProgressLine(c);
    std::fprintf(stderr, tty ? "\r%s\033[K" : "%s\n", line.c_str());
  };
  if (acks) hooks.on_ack = [&acks](const emulate::Ack& a) { acks->Add(a); };
  auto report = emulate::RunEmulator(*options, source.get(), hooks);
  finished = true;
  watcher.join();
  if (tty) std::fprintf(stderr, "\n");
  if (!report.ok()) return ReportError(kEmulateCommand, report.status());
  std::fputs(emulate::ReportText(*report, f.target).c_str(), stdout);
  std::fflush(stdout);
  if (acks) {
    Status st = acks->Close();
    if (!st.ok()) return ReportError(kEmulateCommand, st.WithContext("--acked-out"));
  }
  if (!f.report_json.empty()) {
    Status st = io::WriteFileAtomically(io::PosixFileSystem(), f.report_json,
                                        emulate::ReportJson(*report, *options, f.target));
    if (!st.ok()) return ReportError(kEmulateCommand, st.WithContext("--report-json"));
  }
  if (report->counts.failed_requests > 0) {
    std::fprintf(stderr, "pinpipe emulate: %lld requests failed at the transport level (see the report)\n",
                 static_cast<long long>(report->counts.failed_requests));
    return kExitFailure;
  }
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupEmulate(CLI::App& app, const GlobalOptions&) {
  auto f = std::make_shared<EmulateFlags>();
  CLI::App* sub = app.add_subcommand(
      kEmulateCommand, "Post records to the ingest API like many users would, and report what it answered and how fast");
  sub->add_option("--target", f->target, "Base URL of the API, e.g. http://127.0.0.1:8000");
  sub->add_option("--rate", f->rate, "Records per second, paced open-loop (latency counts from the due time)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--max", f->max, "As fast as the API answers (the default when --rate is not given)");
  sub->add_option("--count", f->count, "Records to send (default: until --duration, the input's end, or Ctrl-C)");
  sub->add_option("--duration", f->duration_s, "Seconds to keep sending")->check(CLI::NonNegativeNumber);
  sub->add_option("--concurrency", f->concurrency, "Keep-alive connections")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sub->add_option("--batch", f->batch, "Records per request; above 1, NDJSON to POST /pins")
      ->check(CLI::Range(1, 1000000))->capture_default_str();
  sub->add_option("--threads", f->threads, "Client io threads")->check(CLI::Range(1, 256))->capture_default_str();
  sub->add_option("--input", f->input, "NDJSON file to replay instead of generated records ('-' = stdin)");
  sub->add_option("--report-json", f->report_json, "Also write the final report as JSON to this file");
  sub->add_option("--acked-out", f->acked_out,
                  "Write one JSON line per acknowledged record: unique_id (+ partition, offset for /pin)");
  sub->add_option("--seed", f->generator.seed, "Generator seed")->capture_default_str();
  sub->add_option("--duplicate-rate", f->generator.duplicate_rate, "Share of generated records that replay a unique_id")
      ->capture_default_str();
  sub->add_option("--bad-rate", f->generator.bad_rate, "Share of generated records the API must reject")
      ->capture_default_str();
  sub->add_option("--token-file", f->token_file, "File with the API's bearer token");
  sub->add_option("--api-token", f->api_token, "The bearer token; prefer the env var PINPIPE_API_TOKEN");
  sub->add_option("--timeout-ms", f->timeout_ms, "Per-request timeout")->capture_default_str();
  sub->footer(
      "Exit status 1 when any request failed at the transport level (no HTTP answer).\n\n"
      "Example:\n"
      "  pinpipe emulate --target http://127.0.0.1:8000 --rate 500 --duration 60 --concurrency 16\n"
      "  pinpipe emulate --target http://127.0.0.1:8000 --max --count 1000000 --batch 1000 --report-json r.json");
  return {sub, [f] { return RunEmulate(*f); }};
}

PINPIPE_REGISTER_COMMAND(50, SetupEmulate);

}  // namespace
}  // namespace pinpipe::cli
