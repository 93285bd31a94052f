// Options of the embedded log, with their defaults. Built by OpenBus from
// BusOptions (or directly by tests and benchmarks).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "bus/bus.h"
#include "core/clock.h"
#include "core/status.h"
#include "io/file_system.h"

namespace pinpipe::bus::log {

// When an append counts as durable.
struct SyncPolicy {
  enum class Mode {
    kAlways,    // ack after fdatasync (group commit): survives power loss
    kInterval,  // ack after write(); fdatasync at most interval_ms later
    kNever,     // ack after write(); fdatasync only when a segment rolls or the log closes
  };
  Mode mode = Mode::kAlways;
  int64_t interval_ms = 0;
};

// "always" | "interval-ms=N" (N >= 1) | "never"; kInvalidArgument otherwise.
Result<SyncPolicy> ParseSyncPolicy(std::string_view text);
std::string SyncPolicyName(const SyncPolicy& policy);

struct LogOptions {
  std::string dir;                      // root directory; topics are subdirectories
  int32_t default_partitions = kDefaultPartitions;  // topics created on first use
  SyncPolicy sync;                      // default: always
  uint64_t segment_bytes = 64ull << 20; // roll at this size (64 KiB .. 1 GiB)
  uint32_t index_interval_bytes = 4096; // an index entry about every this many bytes
  int64_t retention_ms = -1;            // delete segments whose newest record is older; -1 = keep
  int64_t retention_bytes = -1;         // per partition; -1 = unbounded
  int64_t retention_check_ms = 30'000;  // how often the writer applies retention
  uint64_t max_pending_bytes = 64ull << 20;  // queued, not yet durable; beyond: kResourceExhausted
  int commit_threads = 0;               // group-commit threads per topic; 0 = min(partitions, 4)
  int sync_threads = 1;                 // fdatasync threads per commit thread (policy always)
  // Readers without an in-process writer poll the watermarks file, backing
  // off from 1 ms up to this (no file-change notification through io::FileSystem).
  std::chrono::milliseconds reader_poll_max{20};
  // The writer rewrites the watermarks file (what reader processes may read)
  // at most this often, off the commit path.
  std::chrono::microseconds watermarks_file_interval{2000};
  Clock* clock = RealClock();           // borrowed; timestamps and retention age
  io::FileSystem* fs = io::PosixFileSystem();  // borrowed
};

// kInvalidArgument naming the first bad field.
Status ValidateLogOptions(const LogOptions& options);

}  // namespace pinpipe::bus::log
