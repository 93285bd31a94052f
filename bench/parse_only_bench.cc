// The ceiling for `pinpipe clean`: a simdjson DOM pass over the raw NDJSON
// that touches every field (BM_ParseOnly), next to the real per-record work
// (BM_CleanAndWrite: Cleaner::Clean + AppendCleanJson), single-threaded and
// on every core. Input: the NDJSON file given as the first argument (after
// Google Benchmark's flags), else 200k generated records.
//   parse_only_bench [--benchmark_filter=...] [raw.ndjson]
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "emulate/record_generator.h"
#include "io/file_system.h"
#include "pin/pin.h"

namespace {

std::string g_data;
std::vector<std::string_view> g_lines;

void LoadInput(const char* path) {
  if (path != nullptr) {
    auto data = pinpipe::io::ReadFileToString(pinpipe::io::PosixFileSystem(), path);
    if (!data.ok()) {
      std::fprintf(stderr, "parse_only_bench: %s\n", data.status().ToString().c_str());
      std::exit(1);
    }
    g_data = std::move(data).value();
  } else {
    pinpipe::emulate::RecordGenerator generator({.seed = 1});
    for (int i = 0; i < 200000; ++i) {
      generator.Next(&g_data);
      g_data.push_back('\n');
    }
  }
  size_t start = 0;
  while (start < g_data.size()) {
    size_t nl = g_data.find('\n', start);
    if (nl == std::string::npos) nl = g_data.size();
    if (nl > start) g_lines.emplace_back(g_data.data() + start, nl - start);
    start = nl + 1;
  }
}

// Reads every member's value the way a cleaner must, so nothing is skipped.
size_t Touch(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: return e.get_string().value_unsafe().size();
    case simdjson::dom::element_type::INT64: return static_cast<size_t>(e.get_int64().value_unsafe());
    case simdjson::dom::element_type::BOOL: return e.get_bool().value_unsafe() ? 1 : 0;
    case simdjson::dom::element_type::ARRAY: {
      size_t n = 0;
      simdjson::dom::array items;
      if (e.get_array().get(items)) return 0;
      for (simdjson::dom::element item : items) n += Touch(item);
      return n;
    }
    default: return 1;
  }
}

void BM_ParseOnly(benchmark::State& state) {
  simdjson::dom::parser parser;
  size_t sink = 0;
  for (auto _ : state) {
    for (std::string_view line : g_lines) {
      simdjson::dom::object obj;
      if (parser.parse(line.data(), line.size()).get_object().get(obj)) continue;
      for (simdjson::dom::key_value_pair member : obj) sink += member.key.size() + Touch(member.value);
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g_lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_data.size()));
}

void BM_CleanAndWrite(benchmark::State& state) {
  pinpipe::pin::Cleaner cleaner;
  pinpipe::pin::CleanRecord record;
  pinpipe::pin::Rejection rejection;
  std::string out;
  for (auto _ : state) {
    for (std::string_view line : g_lines) {
      if (out.size() > (1 << 20)) out.clear();
      if (cleaner.Clean(line, &record, &rejection)) pinpipe::pin::AppendCleanJson(record, &out);
    }
  }
  benchmark::DoNotOptimize(out.data());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g_lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_data.size()));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  LoadInput(argc > 1 ? argv[1] : nullptr);
  int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int threads : {1, cores}) {
    benchmark::RegisterBenchmark("BM_ParseOnly", BM_ParseOnly)->Threads(threads)->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_CleanAndWrite", BM_CleanAndWrite)->Threads(threads)->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    if (cores == 1) break;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
