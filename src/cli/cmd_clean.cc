// `pinpipe clean --input F --output F --rejects F`: raw NDJSON -> clean NDJSON
// plus rejects, in input order, on every core (pin::CleanNdjson). Prints a
// summary on stderr. Exit 0 whenever the input was read to its end.
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/command.h"
#include "core/clock.h"
#include "io/file_system.h"
#include "pin/ndjson_cleaner.h"

namespace pinpipe::cli {
namespace {

constexpr char kCleanCommand[] = "clean";

struct CleanFlags {
  std::string input;
  std::string output;
  std::string rejects;
  int threads = 0;
};

Result<std::unique_ptr<io::SequentialFile>> OpenInput(const std::string& path) {
  if (path == "-") return io::StdinFile();
  auto file = io::PosixFileSystem()->NewSequentialFile(path);
  if (!file.ok()) return file.status().WithContext("--input");
  return file;
}

Result<std::unique_ptr<io::WritableFile>> OpenOutput(const std::string& flag, const std::string& path) {
  if (path == "-") return io::StdoutFile();
  auto file = io::PosixFileSystem()->NewWritableFile(path);
  if (!file.ok()) return file.status().WithContext(flag);
  return file;
}

void PrintSummary(const pin::NdjsonCleanStats& s, double seconds, int threads) {
  std::fprintf(stderr, "clean: records in %lld, out %lld, rejected %lld, blank lines skipped %lld\n",
               static_cast<long long>(s.records_in), static_cast<long long>(s.records_out),
               static_cast<long long>(s.RejectedTotal()), static_cast<long long>(s.blank_lines));
  std::string line = "clean: rejected by reason:";
  for (int r = 0; r < pin::kRejectReasonCount; ++r) {
    line += r == 0 ? " " : ", ";
    line += pin::RejectReasonName(static_cast<pin::RejectReason>(r));
    line += ' ' + std::to_string(s.rejected[r]);
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  line = "clean: nulls in clean records (tag_list: empty):";
  for (int f = 0; f < pin::kCleanFieldCount; ++f) {
    line += f == 0 ? " " : ", ";
    line += pin::CleanFieldName(static_cast<pin::CleanField>(f));
    line += ' ' + std::to_string(s.nulls[f]);
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  double secs = seconds > 0 ? seconds : 1e-9;
  std::fprintf(stderr, "clean: %.3f s, %.0f records/s, %.1f MB/s read, %d threads\n", seconds,
               static_cast<double>(s.records_in) / secs, static_cast<double>(s.bytes_in) / 1e6 / secs,
               threads);
}

int RunClean(const CleanFlags& flags) {
  if (flags.input.empty() || flags.output.empty() || flags.rejects.empty()) {
    return UsageError(kCleanCommand, "--input, --output and --rejects are required (`-` for stdin/stdout)");
  }
  if (flags.output == flags.rejects) {
    return UsageError(kCleanCommand, "--output and --rejects must be different files (or one of them -)");
  }
  if (flags.input != "-" && (flags.input == flags.output || flags.input == flags.rejects)) {
    return UsageError(kCleanCommand, "--output and --rejects must differ from --input (it would be truncated)");
  }
  if (flags.threads < 0) return UsageError(kCleanCommand, "--threads must be 0 (every core) or more");
  auto input = OpenInput(flags.input);
  if (!input.ok()) return ReportError(kCleanCommand, input.status());
  auto output = OpenOutput("--output", flags.output);
  if (!output.ok()) return ReportError(kCleanCommand, output.status());
  auto rejects = OpenOutput("--rejects", flags.rejects);
  if (!rejects.ok()) return ReportError(kCleanCommand, rejects.status());

  pin::NdjsonCleanOptions options;
  options.threads = flags.threads > 0 ? flags.threads
                                      : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int64_t start = RealClock()->MonotonicMicros();
  auto stats = pin::CleanNdjson(input->get(), output->get(), rejects->get(), options);
  if (!stats.ok()) return ReportError(kCleanCommand, stats.status());
  Status closed = (*output)->Close();
  if (!closed.ok()) return ReportError(kCleanCommand, closed.WithContext("--output"));
  closed = (*rejects)->Close();
  if (!closed.ok()) return ReportError(kCleanCommand, closed.WithContext("--rejects"));
  double seconds = static_cast<double>(RealClock()->MonotonicMicros() - start) / 1e6;
  PrintSummary(*stats, seconds, options.threads);
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupClean(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<CleanFlags>();
  CLI::App* sub = app.add_subcommand(
      kCleanCommand, "Clean raw pin NDJSON (spec/cleaning.md): clean lines in input order, rejects with reasons");
  sub->add_option("--input", flags->input, "Raw NDJSON file, or - for stdin");
  sub->add_option("--output", flags->output, "Clean NDJSON file, or - for stdout (created or truncated)");
  sub->add_option("--rejects", flags->rejects,
                  "Reject NDJSON file, or - for stdout: {\"line\",\"reason\",\"field\",\"detail\",\"raw\"}");
  sub->add_option("--threads", flags->threads, "Cleaning threads (0 = one per core)")->capture_default_str();
  sub->footer(
      "Exit status 0 when the input was read to its end, whatever was rejected; 1 when a file\n"
      "cannot be read or written. A summary (records in/out, rejects by reason) goes to stderr.\n"
      "Example:\n"
      "  pinpipe clean --input raw.ndjson --output clean.ndjson --rejects rejects.ndjson\n"
      "  pinpipe gen --count 1000 | pinpipe clean --input - --output - --rejects rejects.ndjson");
  return {sub, [flags] { return RunClean(*flags); }};
}

PINPIPE_REGISTER_COMMAND(20, SetupClean);

}  // namespace
}  // namespace pinpipe::cli
