// Test fixture for the stream (header-only; used by src/jobs/stream*_test.cc
// and tests/integration/stream_*_test.cc, never by product code): a log of raw
// records with replays (some older than the version before them, some under
// a differently spelled key so versions land in other partitions) and every
// kind of bad row; the exact tables a correct stream must leave behind; a
// reader of those tables from SQLite or PostgreSQL in one comparable form;
// and a kill -9 loop around `pinpipe stream`.
#pragma once

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "core/clock.h"
#include "pin/pin.h"
#include "sinks/live_sink.h"
#include "sinks/postgres/pg_connection.h"
#include "sinks/sqlite/sqlite_db.h"
#include "subprocess.h"

namespace pinpipe::jobs::testing {

struct FixtureRecord {
  std::string key;
  std::string value;
  UnixMicros timestamp = 0;
};

// What the three tables hold, comparably: pins_live as unique_id -> the clean
// JSON of the row plus "@partition:offset"; pins_rejected as (partition,
// offset) -> "reason|raw"; pinpipe_offsets of the topic.
struct LiveTables {
  std::map<std::string, std::string> live;
  std::map<std::pair<int32_t, int64_t>, std::string> rejected;
  int64_t rejected_rows = 0;  // rows in pins_rejected (== rejected.size() unless doubled)
  sinks::PositionMap positions;
};

inline std::string FixtureUuid(std::mt19937_64& rng) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
    s += kHex[rng() % 16];
  }
  return s;
}

inline std::string FixtureGoodRecord(int64_t index, const std::string& uid, std::mt19937_64& rng) {
  static const char* kTitles[] = {"Plain title",
                                  "Line one\\nline two",
                                  "Caf\\u00e9 \\u2026\\u00a0",
                                  "Emoji \\ud83d\\ude00",
                                  "Null \\u0000 inside",
                                  "No Title Data Available",
                                  "  padded  ",
                                  "<p style=font-size:12px>html</p>"};
  static const char* kFollowers[] = {"12k", "1.2M", "874", "1,234", "User Info Error", "3b", "12kk"};
  static const char* kMedia[] = {"image", "video", "multi-video(story page format)", "gif"};
  static const char* kTags[] = {"a,b,c", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", " x , ,y", ""};
  std::string r = "{\"index\":" + std::to_string(index) + ",\"unique_id\":\"" + uid + "\"";
  r += ",\"title\":\"" + std::string(kTitles[rng() % 8]) + "\"";
  r += ",\"description\":\"desc " + std::to_string(rng() % 1000) + "\"";
  if (rng() % 10 != 0) r += ",\"poster_name\":\"poster " + std::to_string(rng() % 50) + "\"";
  r += ",\"follower_count\":\"" + std::string(kFollowers[rng() % 7]) + "\"";
  r += ",\"tag_list\":\"" + std::string(kTags[rng() % 4]) + "\"";
  r += ",\"is_image_or_video\":\"" + std::string(kMedia[rng() % 4]) + "\"";
  r += ",\"image_src\":\"https://i.pinimg.com/originals/" + std::to_string(rng() % 100000) + ".jpg\"";
  r += ",\"downloaded\":" + std::to_string(rng() % 2);
  r += ",\"save_location\":\"Local save in /data/art\",\"category\":\"Art\"}";
  return r;
}

// A bad record of kind `kind % 7` (every rejection reason, invalid UTF-8, NUL).
inline std::string FixtureBadRecord(int kind, const std::string& uid) {
  switch (kind % 7) {
    case 0:
      return "{\"unique_id\": \"" + uid + "\", truncated";
    case 1:
      return "[1,2,3]";
    case 2:
      return "{\"title\":\"no id\"}";
    case 3:
      return "{\"unique_id\":\"not-a-uuid\"}";
    case 4:
      return "{\"unique_id\":\"" + uid + "\",\"title\":{\"nested\":true}}";
    case 5:
      return "{\"unique_id\":\"" + uid + "\",\"title\":\"bad \xff\xfe bytes\"}";
    default:
      return "{\"unique_id\":\"" + uid + std::string("\"\0}", 3);
  }
}

// `n` records: ~25% replays of an earlier unique_id (a quarter of those
// older than the earlier version; some under an upper-case key, so the
// versions sit in different partitions) and about `bad_rate` bad rows.
inline std::vector<FixtureRecord> MakeStreamRecords(int n, uint64_t seed, double bad_rate = 0.03,
                                                    UnixMicros base = 1'795'000'000'000'000) {
  std::mt19937_64 rng(seed);
  std::vector<FixtureRecord> out;
  std::vector<std::string> uids;
  for (int i = 0; i < n; ++i) {
    FixtureRecord rec;
    rec.timestamp = base + int64_t{i} * 1000;
    double u = static_cast<double>(rng() % 10000) / 10000.0;
    std::string uid = (!uids.empty() && rng() % 4 == 0) ? uids[rng() % uids.size()] : FixtureUuid(rng);
    if (u < bad_rate) {
      rec.value = FixtureBadRecord(static_cast<int>(rng() % 7), uid);
      rec.key = uid;
    } else {
      if (std::find(uids.begin(), uids.end(), uid) == uids.end()) uids.push_back(uid);
      if (rng() % 4 == 0) rec.timestamp -= 500'000;  // older than versions just before it
      bool upper = rng() % 8 == 0;
      std::string spelled = uid;
      if (upper) {
        for (char& c : spelled) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      rec.value = FixtureGoodRecord(i, spelled, rng);
      rec.key = spelled;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

// Appends every record (in order) and waits until all are durable.
inline Status ProduceAll(bus::Bus* bus, const std::string& topic, const std::vector<FixtureRecord>& records) {
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<bus::Producer> producer, bus->NewProducer(topic));
  std::vector<bus::Message> messages;
  for (const FixtureRecord& r : records) messages.push_back({r.key, r.value, r.timestamp});
  std::promise<Status> done;
  producer->Append(messages, [&](Result<std::vector<bus::Position>> r) { done.set_value(r.status()); });
  PINPIPE_RETURN_IF_ERROR(done.get_future().get());
  return producer->Flush(std::chrono::seconds(30));
}

inline std::string CanonicalRow(pin::CleanRecord record, bus::Position position) {
  for (auto* s : {&record.title, &record.description, &record.poster_name, &record.media_type,
                  &record.image_src, &record.save_location, &record.category}) {
    if (*s) *s = sinks::ToStorableText(**s);
  }
  for (std::string& tag : record.tag_list) tag = sinks::ToStorableText(tag);
  std::string out;
  pin::AppendCleanJson(record, &out);
  return out + "@" + std::to_string(position.partition) + ":" + std::to_string(position.offset);
}

// The tables a correct stream leaves after consuming all of `topic`: read
// back from the bus, cleaned, newest version per unique_id.
inline Result<LiveTables> ExpectedTables(bus::Bus* bus, const std::string& topic) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::PartitionInfo> parts, bus->DescribeTopic(topic));
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<bus::Consumer> consumer, bus->NewConsumer(topic));
  sinks::PositionMap from;
  int64_t total = 0;
  LiveTables t;
  for (const auto& p : parts) {
    from[p.partition] = p.start_offset;
    total += p.end_offset - p.start_offset;
    if (p.end_offset > p.start_offset) t.positions[p.partition] = p.end_offset;
  }
  PINPIPE_RETURN_IF_ERROR(consumer->Assign(from));
  pin::Cleaner cleaner;
  std::map<std::string, sinks::LiveRow> newest;
  for (int64_t seen = 0; seen < total;) {
    PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::Record> batch, consumer->Poll(10000, std::chrono::seconds(5)));
    if (batch.empty()) return Status::Internal("fixture: the log ended early");
    for (bus::Record& r : batch) {
      ++seen;
      sinks::LiveRow row;
      pin::Rejection rejection;
      if (!cleaner.Clean(r.value, &row.record, &rejection)) {
        t.rejected[{r.partition, r.offset}] =
            std::string(pin::RejectReasonName(rejection.reason)) + "|" + sinks::ToStorableText(r.value);
        continue;
      }
      row.record.ingested_at = r.timestamp;
      row.position = {r.partition, r.offset};
      auto [it, inserted] = newest.try_emplace(row.record.unique_id, row);
      if (!inserted && sinks::IsNewer(row, it->second)) it->second = row;
    }
  }
  for (const auto& [uid, row] : newest) t.live[uid] = CanonicalRow(row.record, row.position);
  t.rejected_rows = static_cast<int64_t>(t.rejected.size());
  return t;
}

// One row of text cells (nullopt = SQL NULL) in the column order of
// kLiveProjection.
using Cells = std::vector<std::optional<std::string>>;

inline std::string CellsToCanonical(const Cells& c, bool sqlite_time) {
  pin::CleanRecord r;
  auto i64 = [](const std::optional<std::string>& v) -> std::optional<int64_t> {
    if (!v) return std::nullopt;
    return std::stoll(*v);
  };
  auto boolean = [&](const std::optional<std::string>& v) -> std::optional<bool> {
    if (!v) return std::nullopt;
    return *v == "1";
  };
  r.unique_id = c[0].value_or("");
  r.ind = i64(c[1]);
  r.title = c[2];
  r.description = c[3];
  r.poster_name = c[4];
  r.follower_count = i64(c[5]);
  std::string tags = c[6].value_or("");
  for (size_t at = 0; !tags.empty() && at <= tags.size();) {
    size_t sep = tags.find('\x1f', at);
    if (sep == std::string::npos) sep = tags.size();
    r.tag_list.push_back(tags.substr(at, sep - at));
    at = sep + 1;
  }
  r.is_video = boolean(c[7]);
  r.media_type = c[8];
  r.image_src = c[9];
  r.downloaded = boolean(c[10]);
  r.save_location = c[11];
  r.category = c[12];
  r.ingested_at = sqlite_time ? ParseRfc3339Micros(c[13].value_or("")).value_or(-1) : *i64(c[13]);
  bus::Position pos{static_cast<int32_t>(*i64(c[14])), *i64(c[15])};
  return CanonicalRow(r, pos);
}

// What the stream left in the database at `url` (sqlite:<path> or postgresql://…).
inline Result<LiveTables> ReadLiveTables(const std::string& url, const std::string& topic = "pins") {
  const bool sqlite = url.starts_with("sqlite:");
  const std::string live_sql =
      std::string("SELECT unique_id, ind, title, description, poster_name, follower_count, ") +
      (sqlite ? "(SELECT group_concat(value, char(31)) FROM json_each(tag_list)), is_video, "
              : "array_to_string(tag_list, chr(31)), is_video::int, ") +
      "media_type, image_src, " + (sqlite ? "downloaded" : "downloaded::int") +
      ", save_location, category, " +
      (sqlite ? "ingested_at" : "(extract(epoch FROM ingested_at) * 1000000)::bigint") +
      ", bus_partition, bus_offset FROM pins_live";
  const std::string dead_sql = "SELECT bus_partition, bus_offset, reason, raw FROM pins_rejected";
  const std::string pos_sql =
      std::string("SELECT bus_partition, next_offset FROM pinpipe_offsets WHERE topic = ") +
      (sqlite ? "?1" : "$1");
  std::vector<std::vector<Cells>> results;
  if (sqlite) {
    PINPIPE_ASSIGN_OR_RETURN(auto db, sinks::sqlite::SqliteDb::Open(url.substr(7), {.read_only = true}));
    for (const std::string& sql : {live_sql, dead_sql, pos_sql}) {
      PINPIPE_ASSIGN_OR_RETURN(sinks::sqlite::Statement st, db->Prepare(sql));
      if (sql == pos_sql) PINPIPE_RETURN_IF_ERROR(st.BindText(1, topic));
      std::vector<Cells> rows;
      for (;;) {
        PINPIPE_ASSIGN_OR_RETURN(bool more, st.Step());
        if (!more) break;
        Cells cells;
        for (int i = 0; i < st.ColumnCount(); ++i) {
          cells.push_back(st.IsNull(i) ? std::nullopt : std::optional<std::string>(st.ColumnText(i)));
        }
        rows.push_back(std::move(cells));
      }
      results.push_back(std::move(rows));
    }
  } else {
    PINPIPE_ASSIGN_OR_RETURN(auto conn,
                             sinks::postgres::PgConnection::Connect(url, std::chrono::seconds(10), "test"));
    for (const std::string& sql : {live_sql, dead_sql, pos_sql}) {
      std::vector<sinks::postgres::PgParam> params;
      if (sql == pos_sql) params.push_back(topic);
      PINPIPE_ASSIGN_OR_RETURN(sinks::postgres::PgResult r, conn->Query(sql, params));
      std::vector<Cells> rows;
      for (int i = 0; i < r.Rows(); ++i) {
        Cells cells;
        for (int j = 0; j < (sql == live_sql ? 16 : sql == dead_sql ? 4 : 2); ++j) {
          cells.push_back(r.IsNull(i, j) ? std::nullopt : std::optional<std::string>(r.Text(i, j)));
        }
        rows.push_back(std::move(cells));
      }
      results.push_back(std::move(rows));
    }
  }
  LiveTables t;
  for (const Cells& c : results[0]) t.live[*c[0]] = CellsToCanonical(c, sqlite);
  for (const Cells& c : results[1]) {
    t.rejected[{std::stoi(*c[0]), std::stoll(*c[1])}] = *c[2] + "|" + *c[3];
  }
  t.rejected_rows = static_cast<int64_t>(results[1].size());
  for (const Cells& c : results[2]) t.positions[std::stoi(*c[0])] = std::stoll(*c[1]);
  return t;
}

// "" when `got` equals `want`; else a short description of the first
// differences (keeps test failures readable on thousands of rows).
inline std::string DiffTables(const LiveTables& want, const LiveTables& got) {
  std::string out;
  int shown = 0;
  auto note = [&](const std::string& line) {
    if (shown++ < 5) out += line + "\n";
  };
  for (const auto& [uid, row] : want.live) {
    auto it = got.live.find(uid);
    if (it == got.live.end())
      note("missing live row " + row);
    else if (it->second != row)
      note("live row differs:\n  want " + row + "\n  got  " + it->second);
  }
  for (const auto& [uid, row] : got.live) {
    if (!want.live.count(uid)) note("unexpected live row " + row);
  }
  for (const auto& [pos, dead] : want.rejected) {
    auto it = got.rejected.find(pos);
    if (it == got.rejected.end() || it->second != dead) {
      note("dead letter at " + std::to_string(pos.first) + ":" + std::to_string(pos.second) + " want " +
           dead + " got " + (it == got.rejected.end() ? std::string("nothing") : it->second));
    }
  }
  if (got.rejected.size() != want.rejected.size() || got.rejected_rows != want.rejected_rows) {
    note("pins_rejected rows: want " + std::to_string(want.rejected_rows) + " got " +
         std::to_string(got.rejected_rows) + " (" + std::to_string(got.rejected.size()) + " positions)");
  }
  if (got.positions != want.positions) {
    std::string w, g;
    for (const auto& [p, o] : want.positions) w += std::to_string(p) + ":" + std::to_string(o) + " ";
    for (const auto& [p, o] : got.positions) g += std::to_string(p) + ":" + std::to_string(o) + " ";
    note("positions: want " + w + "got " + g);
  }
  if (!out.empty()) {
    out = std::to_string(shown) + " difference(s); live rows want " + std::to_string(want.live.size()) +
          " got " + std::to_string(got.live.size()) + "\n" + out;
  }
  return out;
}

struct KillLoopResult {
  int killed = 0;      // SIGKILLs that hit a running stream
  int mid_stream = 0;  // ... with some but not all positions committed
};

// Sum of the stored next offsets of topic "pins" (cheap: pinpipe_offsets only);
// 0 when nothing is stored or the database cannot be read.
inline int64_t PositionSum(const std::string& sink_url) {
  const std::string sql = "SELECT coalesce(sum(next_offset), 0) FROM pinpipe_offsets WHERE topic = 'pins'";
  if (sink_url.starts_with("sqlite:")) {
    auto db = sinks::sqlite::SqliteDb::Open(sink_url.substr(7), {.read_only = true});
    if (!db.ok()) return 0;
    auto st = (*db)->Prepare(sql);
    return st.ok() && st->Step().value_or(false) ? st->ColumnInt(0) : 0;
  }
  auto conn = sinks::postgres::PgConnection::Connect(sink_url, std::chrono::seconds(5), "test");
  if (!conn.ok()) return 0;
  auto r = (*conn)->Query(sql);
  return r.ok() && r->Rows() == 1 ? std::stoll(std::string(r->Text(0, 0))) : 0;
}

// Starts `argv` (a `pinpipe stream` command) again and again and kills it
// with SIGKILL `kills` times: even rounds at a random instant 2-60 ms after
// start (startup, reading positions, the first batch), odd rounds a random
// 0-15 ms after it was seen committing, so kills land mid-stream however fast
// the binary is (e.g. under sanitizers). A round whose process ends first
// kills nothing. `end` is the positions of a fully drained log.
inline KillLoopResult KillNineLoop(const std::vector<std::string>& argv, const std::string& sink_url,
                                   const sinks::PositionMap& end, int kills, uint32_t seed,
                                   const std::string& stderr_path) {
  KillLoopResult r;
  std::mt19937 rng(seed);
  for (int round = 0; round < 6 * kills && r.killed < kills; ++round) {
    ::pinpipe::testing::SpawnOptions spawn;
    spawn.stderr_path = stderr_path;
    auto child = ::pinpipe::testing::Subprocess::Start(argv, spawn);
    if (!child) return r;
    if (round % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(2, 60)(rng)));
    } else {
      int64_t before = PositionSum(sink_url);
      ::pinpipe::testing::WaitFor([&] { return !child->Running() || PositionSum(sink_url) > before; },
                                  std::chrono::seconds(20));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 15)(rng)));
    }
    if (!child->Running()) continue;  // finished first: nothing was killed
    child->Signal(SIGKILL);
    child->Wait(std::chrono::seconds(30));
    ++r.killed;
    auto now = ReadLiveTables(sink_url);
    if (now.ok() && !now->positions.empty() && now->positions != end) ++r.mid_stream;
  }
  return r;
}

}  // namespace pinpipe::jobs::testing
