// The stages of `pinpipe batch`, one at a time, on 100k generated records
// (items/s = records/s): zstd line split, landed-line parse, clean, the
// whole object reader, the SQLite replace transaction, and the clean zone
// write. bench/40-batch.sh measures them together; this says where time goes.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "emulate/record_generator.h"
#include "jobs/batch_clean_zone.h"
#include "jobs/batch_plan.h"
#include "jobs/batch_reader.h"
#include "jobs/lake_line.h"
#include "lake/key_layout.h"
#include "lake/local_object_store.h"
#include "lake/zstd_codec.h"
#include "pin/pin.h"
#include "sinks/warehouse.h"

namespace pinpipe {

constexpr int kRecords = 100'000;
constexpr UnixMicros kStart = 1'795'000'000'000'000;  // 2026-11-18T...Z

struct Fixture {
  std::string dir;
  std::vector<std::string> raws;
  std::vector<std::string> lines;
  std::string object;  // one compressed raw object of every line
  std::vector<sinks::WarehouseRow> rows;
  std::unique_ptr<lake::ObjectStore> store;
  jobs::RawObjectTask task;

  Fixture() {
    char tmpl[] = "/tmp/pinpipe-batch-bench.XXXXXX";
    dir = mkdtemp(tmpl);
    emulate::RecordGenerator gen({.seed = 9, .duplicate_rate = 0.01, .bad_rate = 0.001});
    lake::LakeHour hour = lake::LakeHour::Of(kStart);
    std::string text;
    pin::Cleaner cleaner;
    for (int i = 0; i < kRecords; ++i) {
      std::string raw;
      gen.Next(&raw);
      std::string line;
      jobs::AppendLakeLine(hour.start + i, 0, i, raw, &line);
      text += line;
      text.push_back('\n');
      sinks::WarehouseRow row;
      pin::Rejection rejection;
      if (cleaner.Clean(raw, &row.record, &rejection)) {
        row.record.ingested_at = hour.start + i;
        row.offset = i;
        rows.push_back(std::move(row));
      }
      raws.push_back(std::move(raw));
      lines.push_back(std::move(line));
    }
    object = lake::ZstdCompressAll(text);
    store = std::move(lake::OpenObjectStore("file:" + dir + "/lake")).value();
    task.parsed = {hour, 0, 0, kRecords - 1};
    task.key = lake::RawObjectKeyString("pins", task.parsed);
    task.size = object.size();
    PINPIPE_CHECK(store->Put(task.key, object).ok());
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& F() {
  static Fixture* f = new Fixture();
  return *f;
}

namespace {

void BM_ZstdLines(benchmark::State& state) {
  for (auto _ : state) {
    int64_t n = 0;
    PINPIPE_CHECK(lake::ZstdForEachLine(F().object, [&](std::string_view, int64_t) {
                    ++n;
                    return Status::Ok();
                  }).ok());
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_ZstdLines)->Unit(benchmark::kMillisecond);

void BM_ParseLakeLine(benchmark::State& state) {
  jobs::LakeLine line;
  std::string scratch;
  for (auto _ : state) {
    for (const std::string& l : F().lines) PINPIPE_CHECK(jobs::ParseLakeLine(l, &line, &scratch).ok());
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_ParseLakeLine)->Unit(benchmark::kMillisecond);

void BM_Clean(benchmark::State& state) {
  pin::Cleaner cleaner;
  pin::CleanRecord record;
  pin::Rejection rejection;
  for (auto _ : state) {
    for (const std::string& raw : F().raws) benchmark::DoNotOptimize(cleaner.Clean(raw, &record, &rejection));
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_Clean)->Unit(benchmark::kMillisecond);

// One object through one worker: batches of 4096 lines from the shared
// source, each parsed, checked and cleaned into a chunk.
void BM_ReadRawObject(benchmark::State& state) {
  pin::CleanViewer viewer;
  jobs::BatchPlan plan;
  plan.tasks.push_back(F().task);
  for (auto _ : state) {
    jobs::LineBatchSource source(F().store.get(), plan, 4096);
    jobs::LineBatch batch;
    jobs::BatchChunk chunk;
    while (*source.Next(&batch)) {
      PINPIPE_CHECK(jobs::ReadLineBatch(batch, plan.tasks[0], &viewer, &chunk).ok());
      benchmark::DoNotOptimize(chunk.rows.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_ReadRawObject)->Unit(benchmark::kMillisecond);

// One date replaced with 100k rows and committed (durable), then the clean
// zone written from it.
void BM_WarehouseReplace(benchmark::State& state) {
  auto warehouse = std::move(sinks::OpenWarehouse("sqlite:" + F().dir + "/w.db")).value();
  for (auto _ : state) {
    auto replacement = std::move(warehouse->BeginReplace("2026-11-18")).value();
    PINPIPE_CHECK(replacement->AddRows(F().rows).ok());
    PINPIPE_CHECK(replacement->Commit().ok());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(F().rows.size()));
}
BENCHMARK(BM_WarehouseReplace)->Unit(benchmark::kMillisecond)->Iterations(3);

// The clean zone of the committed date, `threads` parts at a time.
void BM_CleanZone(benchmark::State& state) {
  auto warehouse = std::move(sinks::OpenWarehouse("sqlite:" + F().dir + "/z.db")).value();
  PINPIPE_CHECK(warehouse->ReplaceDate("2026-11-18", F().rows, {}).ok());
  jobs::CleanZoneOptions options;
  options.date = "2026-11-18";
  options.part_rows = 25'000;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) PINPIPE_CHECK(jobs::WriteCleanZone(F().store.get(), warehouse.get(), options).ok());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(F().rows.size()));
}
BENCHMARK(BM_CleanZone)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace pinpipe

// The fixture is built before any timing starts.
int main(int argc, char** argv) {
  pinpipe::F();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete &pinpipe::F();  // removes its temp directory
  return 0;
}
