// Deterministic raw pin records with the shapes and proportions of the real
// data (spec/data-profile.md): placeholder clusters, "…"+U+00A0 endings,
// emoji, HTML, non-Latin titles, the older variant without poster_name,
// replays of earlier unique_ids, and on request records the cleaner rejects.
// Used by `pinpipe gen`, the load emulator, tests and benchmarks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace pinpipe::emulate {

struct GeneratorOptions {
  uint64_t seed = 1;
  double duplicate_rate = 0.01;  // share of records that replay an earlier unique_id
  double bad_rate = 0.0;         // share of records that the cleaner must reject
  int64_t first_index = 0;       // `index` of the first record
};

// Record n (counting from 0) depends only on the options and on
// first_index + n, so a generator started at first_index = k emits the
// tail of one started at 0. Externally serialized (one thread).
class RecordGenerator {
 public:
  explicit RecordGenerator(const GeneratorOptions& options);
  ~RecordGenerator();
  RecordGenerator(RecordGenerator&&) noexcept;
  RecordGenerator& operator=(RecordGenerator&&) noexcept;

  // Appends the next raw record: one JSON object, no newline.
  void Next(std::string* out);

 private:
  struct State;  // reused buffers, so Next does not allocate per record
  GeneratorOptions options_;
  int64_t position_;
  std::unique_ptr<State> state_;
};

}  // namespace pinpipe::emulate
