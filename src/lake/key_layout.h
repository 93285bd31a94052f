// The lake's key layout (Hive style, readable by Spark/Trino/ClickHouse/DuckDB;
// docs/lake-layout.md):
//   raw/<dataset>/dt=YYYY-MM-DD/hr=HH/p=P/<first-offset>-<last-offset>.ndjson.zst
//   raw/<dataset>/dt=YYYY-MM-DD/hr=HH/_SUCCESS        (every partition passed the hour)
//   clean/<dataset>/dt=YYYY-MM-DD/part-NNNN.ndjson.zst
//   clean/<dataset>/dt=YYYY-MM-DD/_SUCCESS            (the date's clean zone is complete)
// Offsets are plain decimal; code sorts them numerically, never by key text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace pinpipe::lake {

inline constexpr std::string_view kRawObjectSuffix = ".ndjson.zst";
inline constexpr std::string_view kSuccessName = "_SUCCESS";

// A UTC hour, held as the microsecond at its start.
struct LakeHour {
  UnixMicros start = 0;

  static LakeHour Of(UnixMicros t);  // the hour containing t
  UnixMicros end() const { return start + kMicrosPerHour; }
  LakeHour Next() const { return {start + kMicrosPerHour}; }
  std::string Date() const;  // "2026-11-26"
  int Hour() const;          // 0..23
  friend auto operator<=>(const LakeHour&, const LakeHour&) = default;
};

// One raw object: the records of one partition, one hour, offsets first..last.
struct RawObjectKey {
  LakeHour hour;
  int32_t partition = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  friend bool operator==(const RawObjectKey&, const RawObjectKey&) = default;
};

// True when the dataset name is 1-64 of [a-z0-9_-].
bool IsValidDatasetName(std::string_view dataset);

std::string RawPrefix(std::string_view dataset);                               // "raw/pins/"
std::string RawDatePrefix(std::string_view dataset, std::string_view date);   // "raw/pins/dt=D/"
std::string RawObjectKeyString(std::string_view dataset, const RawObjectKey& key);
std::string RawSuccessKey(std::string_view dataset, LakeHour hour);
std::string CleanDatePrefix(std::string_view dataset, std::string_view date);  // "clean/pins/dt=D/"
std::string CleanPartKey(std::string_view dataset, std::string_view date, int part);
std::string CleanSuccessKey(std::string_view dataset, std::string_view date);

// nullopt when `key` is not a raw object key of `dataset` in canonical form
// (so stray or foreign files are never taken for data).
std::optional<RawObjectKey> ParseRawObjectKey(std::string_view dataset, std::string_view key);
// The hour of a raw `_SUCCESS` marker key, or nullopt.
std::optional<LakeHour> ParseRawSuccessKey(std::string_view dataset, std::string_view key);
// The part number of a clean part key of `dataset` and `date`, or nullopt.
std::optional<int> ParseCleanPartKey(std::string_view dataset, std::string_view date, std::string_view key);

}  // namespace pinpipe::lake
