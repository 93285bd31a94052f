// The stream's sink: a relational "live" table of clean pins (pins_live), its
// dead letters (pins_rejected) and the bus positions (pinpipe_offsets), all
// written in ONE transaction per micro-batch, so a crash at any instant loses
// nothing and duplicates nothing. Backends: SQLite (embedded) and PostgreSQL.
#pragma once

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "bus/bus.h"
#include "core/status.h"
#include "pin/pin.h"

namespace pinpipe::sinks {

using PositionMap = std::map<bus::PartitionId, bus::Offset>;

// One clean record and where it came from. REQUIRES: record.ingested_at set.
struct LiveRow {
  pin::CleanRecord record;
  bus::Position position;
};

// One rejected record, kept as data so a bad row never blocks the stream.
struct DeadLetter {
  pin::Rejection rejection;
  std::string raw;  // the whole raw record; any bytes (the sink stores valid UTF-8)
  bus::Position position;
  std::optional<int64_t> ingested_at;
};

// One micro-batch, borrowed for the duration of CommitBatch.
struct LiveBatch {
  std::string_view topic = {};
  // Per partition touched: the next offset stored when the batch was read
  // (what ReadPositions returned, or the previous commit's `next`), and the
  // next offset to store. A partition absent from `from` had no stored
  // position. The commit is refused when the stored positions moved.
  const PositionMap* from = nullptr;
  const PositionMap* next = nullptr;
  // At most one row per unique_id (the caller dedupes), each with a position
  // inside [from, next) of its partition; likewise for dead letters.
  std::span<const LiveRow> rows = {};
  std::span<const DeadLetter> dead = {};
};

struct LiveSinkOptions {
  // PostgreSQL: libpq connect_timeout.
  std::chrono::seconds connect_timeout{10};
  // PostgreSQL: synchronous_commit of the sink's session. Off lets COMMIT
  // return before its WAL is flushed: a server crash may then undo the last
  // commits (under a second), rows and positions together, which the stream
  // reads again: still exactly once, never a gap or a double.
  bool pg_synchronous_commit = true;
  // PostgreSQL: batches with at least this many rows go by binary COPY
  // through a staging table (least server CPU per row); smaller ones as
  // array parameters in one pipelined round trip (least latency).
  size_t pg_copy_min_rows = 2000;
  // SQLite: wait this long for another writer's lock.
  int busy_timeout_ms = 10000;
  // SQLite: synchronous=FULL (fsync every commit) when true; NORMAL when
  // false (a power cut may lose the last commits, rows and positions
  // together, which the stream then re-reads: still exactly once).
  bool sqlite_sync_full = false;
};

// The order that decides which version of a unique_id wins: greater
// (ingested_at, partition, offset) is newer. The batch path's dedupe uses the
// same order, so the live table and the warehouse agree on every unique_id.
inline bool IsNewer(const LiveRow& a, const LiveRow& b) {
  auto key = [](const LiveRow& r) {
    return std::tuple(r.record.ingested_at.value_or(INT64_MIN), r.position.partition, r.position.offset);
  };
  return key(a) > key(b);
}

// Every backend's commit calls this inside its transaction, holding its lock
// on the batch's partitions: kUnavailable when the positions `stored` now differ from the ones the
// batch was read from (another stream process committed meanwhile).
inline Status CheckPositionsUnmoved(const LiveBatch& batch, const PositionMap& stored) {
  for (const auto& [partition, next] : *batch.next) {
    auto have = stored.find(partition);
    auto want = batch.from->find(partition);
    bool same = (have == stored.end() && want == batch.from->end()) ||
                (have != stored.end() && want != batch.from->end() && have->second == want->second);
    if (!same) {
      return Status::Unavailable("stored positions of topic " + std::string(batch.topic) + " partition " +
                                 std::to_string(partition) +
                                 " moved since they were read (another stream process?); re-read them");
    }
  }
  return Status::Ok();
}

// Externally serialized: one thread uses a sink at a time. After a
// kUnavailable the sink reconnects by itself on the next call.
class LiveSink {
 public:
  virtual ~LiveSink() = default;

  // Stored positions of `topic`: partition -> next offset to read.
  // kUnavailable when the database cannot be reached (retry later).
  virtual Result<PositionMap> ReadPositions(const std::string& topic) = 0;

  // In ONE transaction: checks the stored positions still equal batch.from
  // (else kUnavailable "positions moved", nothing written: re-read them),
  // upserts the rows (a row replaces the stored one only when IsNewer),
  // inserts the dead letters (a position already present is skipped), and
  // stores batch.next. On kUnavailable the outcome may be unknown (the
  // connection died during COMMIT): re-read positions to learn it. Other
  // codes are not retryable (e.g. a schema the sink cannot migrate).
  virtual Status CommitBatch(const LiveBatch& batch) = 0;

  // "sqlite:/path/live.db" or "postgresql://user@host:5432/db" (no password).
  virtual std::string Describe() const = 0;
};

// Opens `sqlite:<path>` or `postgresql://…` / `postgres://…` (a libpq URI; the
// password comes from PGPASSWORD or ~/.pgpass, never from the URL), creating
// or migrating the schema (table pinpipe_migrations). kInvalidArgument for an
// unknown scheme; kUnavailable when the server cannot be reached.
Result<std::unique_ptr<LiveSink>> OpenLiveSink(const std::string& url, const LiveSinkOptions& options = {});

// How many connections the stream commits through by default, each for its
// share of the partitions: PostgreSQL 2 (the server's work per row is the
// stream's ceiling, and two backends use two cores: 1M records measured
// 82.7k -> 129k records/s on 2 cores); SQLite 1 (its writers take turns).
int DefaultLiveSinkConnections(std::string_view url);

// `count` connections to `url` for the stream's lanes (count <= 0:
// DefaultLiveSinkConnections(url)); fails as OpenLiveSink does.
Result<std::vector<std::unique_ptr<LiveSink>>> OpenLiveSinks(const std::string& url, const LiveSinkOptions& options,
                                                             int count);

// Length of the valid UTF-8 sequence (not NUL) starting at s[i], or 0 when
// the bytes there are invalid. Inline: both backends need it and cannot link
// the front-door library.
inline size_t StorableSequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c != 0 && c < 0x80) return 1;
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
  if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
  return len;
}

// True when `s` is valid UTF-8 without NUL (ToStorableText returns it as is).
inline bool IsStorableText(std::string_view s) {
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  for (size_t i = 0; i < s.size();) {
    if (i + 8 <= s.size()) {  // fast path: 8 ASCII bytes, none of them NUL
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & kHigh) == 0 && ((w - kOnes) & ~w & kHigh) == 0) {
        i += 8;
        continue;
      }
    }
    size_t n = StorableSequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// `s` with every invalid UTF-8 byte and every NUL replaced by U+FFFD (neither
// database keeps NUL inside text; PostgreSQL refuses invalid UTF-8).
inline std::string ToStorableText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = StorableSequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace pinpipe::sinks
