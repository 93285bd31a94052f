// `pinpipe gen --count N [--seed S] [--bad-rate F]`: N realistic raw pin
// records (spec/data-profile.md) as NDJSON on stdout, byte-identical for the
// same options.
#include <memory>
#include <string>

#include "cli/command.h"
#include "emulate/record_generator.h"
#include "io/file_system.h"

namespace pinpipe::cli {
namespace {

constexpr char kGenCommand[] = "gen";
constexpr size_t kFlushBytes = 1 << 20;

struct GenFlags {
  int64_t count = -1;
  uint64_t seed = 1;
  double bad_rate = 0.0;
  double duplicate_rate = 0.01;
  int64_t first_index = 0;
};

int RunGen(const GenFlags& flags) {
  if (flags.count < 0) return UsageError(kGenCommand, "--count N is required (N >= 0)");
  if (flags.bad_rate < 0 || flags.bad_rate > 1 || flags.duplicate_rate < 0 || flags.duplicate_rate > 1) {
    return UsageError(kGenCommand, "--bad-rate and --duplicate-rate must be between 0 and 1");
  }
  emulate::GeneratorOptions options;
  options.seed = flags.seed;
  options.bad_rate = flags.bad_rate;
  options.duplicate_rate = flags.duplicate_rate;
  options.first_index = flags.first_index;
  emulate::RecordGenerator generator(options);
  std::unique_ptr<io::WritableFile> out = io::StdoutFile();
  std::string buffer;
  buffer.reserve(kFlushBytes + 64 * 1024);
  for (int64_t i = 0; i < flags.count; ++i) {
    generator.Next(&buffer);
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes || i + 1 == flags.count) {
      Status st = out->Append(buffer);
      if (!st.ok()) return ReportError(kGenCommand, st);
      buffer.clear();
    }
  }
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupGen(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<GenFlags>();
  CLI::App* sub = app.add_subcommand(
      kGenCommand, "Write N realistic raw pin records (NDJSON) to stdout, with the real data's dirt and replays");
  sub->add_option("--count", flags->count, "How many records");
  sub->add_option("--seed", flags->seed, "Same seed, same bytes")->capture_default_str();
  sub->add_option("--bad-rate", flags->bad_rate,
                  "Share of records the cleaner must reject (invalid JSON, not an object, bad unique_id, "
                  "bad types)")->capture_default_str();
  sub->add_option("--duplicate-rate", flags->duplicate_rate,
                  "Share of records that replay an earlier unique_id")->capture_default_str();
  sub->add_option("--first-index", flags->first_index, "`index` of the first record")->capture_default_str();
  sub->footer(
      "Example:\n"
      "  pinpipe gen --count 100000 --seed 7 > raw.ndjson\n"
      "  pinpipe gen --count 1000 --bad-rate 0.05 | pinpipe clean --input - --output - --rejects rejects.ndjson");
  return {sub, [flags] { return RunGen(*flags); }};
}

PINPIPE_REGISTER_COMMAND(10, SetupGen);

}  // namespace
}  // namespace pinpipe::cli
