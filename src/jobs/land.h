// `land`: every partition of a bus topic into the lake's raw zone, exactly
// once. Each object holds one partition's records of one hour, named by its
// first and last offset, so the lake itself is the position store: on open
// the Lander resumes after the highest offset already landed. When every
// partition has passed an hour it writes that hour's _SUCCESS marker.
// Layout and line format: docs/lake-layout.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "jobs/land_file.h"
#include "lake/object_store.h"
#include "metrics/metrics.h"

namespace pinpipe::jobs {

struct LandMetrics;

struct LanderOptions {
  std::string topic = "pins";
  std::string dataset = "pins";               // keys raw/<dataset>/...
  int32_t create_partitions = 0;              // >0: create the topic with this many partitions when missing
  uint64_t max_file_bytes = 64ull << 20;      // close an object at this many uncompressed bytes
  int64_t max_file_age_micros = 60 * kMicrosPerSecond;  // ... or this long after its first record
  // How late (by ingested_at) a record may reach the bus after its hour
  // ended; an hour is marked complete only this long after it ended.
  int64_t lateness_micros = 10 * kMicrosPerSecond;
  int zstd_level = 1;  // level 3 saves ~1.5% here and costs ~1.4x the CPU
  size_t poll_max_records = 8192;
  std::chrono::milliseconds poll_timeout{200};
  int64_t describe_interval_micros = kMicrosPerSecond;  // refresh end offsets (lag, idleness)
  // Run(): backoff between retries of retryable (kUnavailable) failures.
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_max{30'000};
  // RunOnce(): give up when the bus delivers nothing for this long while
  // records it reported are still unread.
  std::chrono::milliseconds once_stall_timeout{30'000};
};

struct LanderStats {
  int64_t records = 0;
  int64_t files = 0;
  int64_t success_markers = 0;
  int64_t late_records = 0;  // records of an hour already marked complete
  uint64_t uncompressed_bytes = 0;
  uint64_t compressed_bytes = 0;
};

// Owned by one thread: Run/RunOnce/Step/Flush are externally serialized (the
// wiring layer runs Run on a thread it owns and stops it with the stop token).
// Borrows the bus, store, clock and registry, which must outlive it.
class Lander {
 public:
  // Reads the lake to find where each partition resumes and which hours are
  // already marked; removes temp files a crashed writer left under raw/.
  // kNotFound when the topic is missing (and create_partitions is 0);
  // kCorruption when the lake holds offsets beyond the bus's end (the bus was
  // recreated under an old lake); kOutOfRange when retention deleted records
  // that were never landed. `registry` may be null (metrics then go nowhere).
  static Result<std::unique_ptr<Lander>> Open(const LanderOptions& options, bus::Bus* bus,
                                              lake::ObjectStore* store, Clock* clock,
                                              metrics::Registry* registry);
  ~Lander();

  // Lands until `stop` is requested, then closes every open object and
  // returns OK. Retryable failures (store or bus unavailable) are logged and
  // retried with backoff; any other failure is returned at once.
  Status Run(std::stop_token stop);
  // Lands every record present when called, closes every open object, marks
  // the hours that are complete, and returns. A stop request ends the
  // reading early; what was read is still put before it returns.
  Status RunOnce(std::stop_token stop = {});
  // One poll of the bus plus housekeeping (closing objects by size, age and
  // hour; _SUCCESS markers). On failure nothing is lost: unlanded records
  // are read again by the next Step.
  Status Step();
  // Closes (puts) every open object now, then marks complete hours.
  Status Flush();

  // Partition -> next offset to land (everything below is in the lake or in
  // an open object).
  std::map<bus::PartitionId, bus::Offset> NextOffsets() const;
  // Partition -> next offset not yet in the lake (durable position).
  std::map<bus::PartitionId, bus::Offset> LandedOffsets() const;
  LanderStats stats() const { return stats_; }

 private:
  struct Partition;
  Lander(const LanderOptions& options, bus::Bus* bus, lake::ObjectStore* store, Clock* clock,
         metrics::Registry* registry);

  Status Resume();
  Status RefreshEnds(bool force);
  Status StepInner(std::chrono::milliseconds timeout);
  Status Append(const bus::Record& record);
  Status CloseFile(Partition& p);
  Status CloseDueFiles();
  Status MarkCompleteHours();
  bool PartitionPassed(const Partition& p, lake::LakeHour hour) const;
  Status Reassign();

  LanderOptions options_;
  bus::Bus* bus_;
  lake::ObjectStore* store_;
  Clock* clock_;
  std::unique_ptr<metrics::Registry> own_registry_;  // when none was given
  std::unique_ptr<LandMetrics> metrics_;
  std::unique_ptr<bus::Consumer> consumer_;
  std::map<bus::PartitionId, std::unique_ptr<Partition>> partitions_;
  int64_t last_describe_ = INT64_MIN;  // monotonic micros
  // The next hour to mark _SUCCESS. Unset until known: from the lake's last
  // marker, else its oldest data, else the oldest hour landed since open.
  std::optional<lake::LakeHour> next_mark_;
  lake::LakeHour opened_hour_;
  std::optional<lake::LakeHour> oldest_seen_;
  LanderStats stats_;
};

}  // namespace pinpipe::jobs
