// The stream against a real PostgreSQL (a throwaway cluster started once for
// this binary): the LiveSink contract on both backends (SQLite and
// PostgreSQL mean the same thing), PostgreSQL's column types, reconnects, the
// Streamer end to end, kill -9 loops of `pinpipe stream`, and a database
// restarted under a running stream.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "bus/open_bus.h"
#include "jobs/stream_test_fixture.h"
#include "jobs/streamer.h"
#include "postgres_server.h"
#include "sinks/live_sink.h"
#include "sinks/postgres/pg_connection.h"
#include "subprocess.h"

namespace pinpipe {
namespace {

using ::pinpipe::jobs::testing::DiffTables;
using ::pinpipe::jobs::testing::LiveTables;
using ::pinpipe::jobs::testing::ReadLiveTables;
using ::pinpipe::testing::PinpipeBin;
using ::pinpipe::testing::PostgresServer;
using ::pinpipe::testing::Subprocess;
using ::pinpipe::testing::TempDir;
using ::pinpipe::testing::WaitFor;

constexpr char kUid[] = "0f3d1a4e-9c2b-4d8e-a1f0-123456789abc";
constexpr UnixMicros kT0 = 1'795'000'000'000'000;

PostgresServer* server = nullptr;

class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    owned_ = PostgresServer::Create();
    ASSERT_NE(owned_, nullptr);
    server = owned_.get();
  }
  void TearDown() override {
    server = nullptr;
    owned_.reset();
  }

 private:
  std::unique_ptr<PostgresServer> owned_;
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

// A fresh database per test, so tests never see each other's rows.
std::string NewPostgresUrl() {
  static std::atomic<int> n{0};
  std::string name = "stream_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
  EXPECT_TRUE(server->CreateDatabase(name));
  return server->Url(name);
}

sinks::LiveRow Row(std::string uid, UnixMicros t, int32_t p, int64_t o, std::string title) {
  sinks::LiveRow row;
  row.record.unique_id = std::move(uid);
  row.record.title = std::move(title);
  row.record.ingested_at = t;
  row.position = {p, o};
  return row;
}

// --- The LiveSink contract, on both backends --------------------------------

class LiveSinkContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_NE(server, nullptr);
    url_ = GetParam() == "sqlite" ? "sqlite:" + dir_.File("live.db") : NewPostgresUrl();
    // "postgres-copy": every batch through the COPY path; "postgres": these
    // small batches take the pipelined array path.
    if (GetParam() == "postgres-copy") options_.pg_copy_min_rows = 1;
    auto sink = sinks::OpenLiveSink(url_, options_);
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  // Commits at the stored positions, moving each touched partition past the
  // highest offset in the batch.
  Status Commit(std::vector<sinks::LiveRow> rows, std::vector<sinks::DeadLetter> dead = {}) {
    auto from = sink_->ReadPositions("pins");
    if (!from.ok()) return from.status();
    sinks::PositionMap next = *from;
    for (const auto& r : rows)
      next[r.position.partition] = std::max(next[r.position.partition], r.position.offset + 1);
    for (const auto& d : dead)
      next[d.position.partition] = std::max(next[d.position.partition], d.position.offset + 1);
    return sink_->CommitBatch({.topic = "pins", .from = &*from, .next = &next, .rows = rows, .dead = dead});
  }

  LiveTables Tables() {
    auto t = ReadLiveTables(url_);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : LiveTables{};
  }

  TempDir dir_;
  std::string url_;
  sinks::LiveSinkOptions options_;
  std::unique_ptr<sinks::LiveSink> sink_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LiveSinkContractTest,
                         ::testing::Values("sqlite", "postgres", "postgres-copy"), [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST_P(LiveSinkContractTest, EveryFieldRoundTripsIncludingAwkwardText) {
  static constexpr char kTitle[] = "tab\there \"q\" back\\slash\nnew\0nul";
  sinks::LiveRow row = Row(kUid, kT0 + 123457, 3, 9, std::string(kTitle, sizeof kTitle - 1));
  pin::CleanRecord& r = row.record;
  r.ind = 11153;
  r.description =
      "Story \xE2\x80\xA6\xC2\xA0 \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB \xD0\x9F\xD1\x80\xD0\xB8";
  r.poster_name = "bad \xff bytes";
  r.follower_count = 9'000'000'000;
  r.tag_list = {"a", "with space", "comma,inside", "{brace}", "quote\"", std::string("nul\0x", 5)};
  r.is_video = true;
  r.media_type = "story";
  r.image_src = "https://i.pinimg.com/videos/thumbnails/originals/x.0000001.jpg";
  r.downloaded = false;
  r.save_location = "/data/diy-and-crafts";
  r.category = "diy-and-crafts";
  sinks::LiveRow sparse = Row("1f3d1a4e-9c2b-4d8e-a1f0-123456789abc", kT0, 0, 0, "");
  sparse.record.title.reset();
  ASSERT_TRUE(Commit({row, sparse}).ok());
  LiveTables t = Tables();
  ASSERT_EQ(t.live.size(), 2u);
  EXPECT_EQ(t.live[kUid], jobs::testing::CanonicalRow(row.record, row.position));
  EXPECT_EQ(t.live["1f3d1a4e-9c2b-4d8e-a1f0-123456789abc"],
            jobs::testing::CanonicalRow(sparse.record, sparse.position));
  EXPECT_EQ(t.positions, (sinks::PositionMap{{0, 1}, {3, 10}}));
}

TEST_P(LiveSinkContractTest, OlderDuplicateNeverOverwritesNewer) {
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 10, 1, 0, "newer")}).ok());
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 5, 0, 0, "older, later")}).ok());
  EXPECT_EQ(Tables().live[kUid],
            jobs::testing::CanonicalRow(Row(kUid, kT0 + 10, 1, 0, "newer").record, {1, 0}));
  // Equal timestamps: the greater (partition, offset) wins.
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 10, 0, 5, "same time, lower partition")}).ok());
  EXPECT_NE(Tables().live[kUid].find("\"newer\""), std::string::npos);
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 10, 1, 3, "same time, higher offset")}).ok());
  EXPECT_NE(Tables().live[kUid].find("higher offset"), std::string::npos);
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 11, 0, 6, "newest")}).ok());
  EXPECT_NE(Tables().live[kUid].find("\"newest\""), std::string::npos);
  EXPECT_EQ(Tables().positions, (sinks::PositionMap{{0, 7}, {1, 4}}));
}

TEST_P(LiveSinkContractTest, DeadLettersAreStoredOncePerPositionAsValidText) {
  sinks::DeadLetter d;
  d.rejection = {pin::RejectReason::kBadType, "title", "expected string, got object"};
  d.raw = std::string("{\"title\":{}}\0\xff", 14);
  d.position = {2, 40};
  d.ingested_at = kT0;
  ASSERT_TRUE(Commit({}, {d}).ok());
  ASSERT_TRUE(Commit({}, {d}).ok());  // replayed by hand: skipped, not doubled
  LiveTables t = Tables();
  EXPECT_EQ(t.rejected_rows, 1);
  EXPECT_EQ((t.rejected[{2, 40}]), "bad_type|{\"title\":{}}\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_P(LiveSinkContractTest, CommitFromStalePositionsIsRefusedAndWritesNothing) {
  ASSERT_TRUE(Commit({Row(kUid, kT0, 0, 0, "first")}).ok());
  sinks::PositionMap stale;  // read before the commit above
  sinks::PositionMap next = {{0, 2}};
  std::vector<sinks::LiveRow> rows = {Row(kUid, kT0 + 1, 0, 1, "second")};
  Status st = sink_->CommitBatch({.topic = "pins", .from = &stale, .next = &next, .rows = rows});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  LiveTables t = Tables();
  EXPECT_NE(t.live[kUid].find("first"), std::string::npos);
  EXPECT_EQ(t.positions, (sinks::PositionMap{{0, 1}}));
  // The same sink keeps working afterwards.
  EXPECT_TRUE(Commit({Row(kUid, kT0 + 1, 0, 1, "second")}).ok());
}

TEST_P(LiveSinkContractTest, TwoWritersFromTheSamePositionsCommitOnlyOnce) {
  auto other = sinks::OpenLiveSink(url_, options_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  sinks::PositionMap from;
  sinks::PositionMap next = {{0, 1}};
  std::vector<sinks::LiveRow> a = {Row(kUid, kT0, 0, 0, "a")};
  std::vector<sinks::LiveRow> b = {Row(kUid, kT0, 0, 0, "b")};
  Status sa = sink_->CommitBatch({.topic = "pins", .from = &from, .next = &next, .rows = a});
  Status sb = (*other)->CommitBatch({.topic = "pins", .from = &from, .next = &next, .rows = b});
  EXPECT_TRUE(sa.ok()) << sa.ToString();
  EXPECT_EQ(sb.code(), StatusCode::kUnavailable) << sb.ToString();
  EXPECT_NE(Tables().live[kUid].find("\"a\""), std::string::npos);
}

TEST_P(LiveSinkContractTest, ReopeningMigratesNothingTwice) {
  sink_.reset();
  auto again = sinks::OpenLiveSink(url_, options_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->ReadPositions("pins")->empty());
}

// --- PostgreSQL specifics ----------------------------------------------------

TEST(PostgresLiveSinkTest, ColumnsUseNativeTypes) {
  std::string url = NewPostgresUrl();
  ASSERT_TRUE(sinks::OpenLiveSink(url).ok());
  auto conn = sinks::postgres::PgConnection::Connect(url, std::chrono::seconds(5), "test");
  ASSERT_TRUE(conn.ok());
  auto r = (*conn)->Query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'pins_live' "
      "AND column_name IN ('tag_list', 'is_video', 'ingested_at', 'unique_id') ORDER BY column_name");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->Rows(), 4);
  EXPECT_EQ(r->Text(0, 1), "timestamp with time zone");  // ingested_at
  EXPECT_EQ(r->Text(1, 1), "boolean");                   // is_video
  EXPECT_EQ(r->Text(2, 1), "ARRAY");                     // tag_list text[]
  EXPECT_EQ(r->Text(3, 1), "text");                      // unique_id
  auto v = (*conn)->Query("SELECT version FROM pinpipe_migrations WHERE component = 'live'");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Rows(), 1);
}

TEST(PostgresLiveSinkTest, LostServerIsUnavailableAndTheSinkReconnectsWhenItIsBack) {
  std::string url = NewPostgresUrl();
  auto sink = sinks::OpenLiveSink(url, {.connect_timeout = std::chrono::seconds(2)});
  ASSERT_TRUE(sink.ok());
  sinks::PositionMap from, next = {{0, 1}};
  std::vector<sinks::LiveRow> rows = {Row(kUid, kT0, 0, 0, "before")};
  ASSERT_TRUE((*sink)->CommitBatch({.topic = "pins", .from = &from, .next = &next, .rows = rows}).ok());

  ASSERT_TRUE(server->Stop());
  sinks::PositionMap from2 = next, next2 = {{0, 2}};
  std::vector<sinks::LiveRow> rows2 = {Row(kUid, kT0 + 1, 0, 1, "after")};
  Status down = (*sink)->CommitBatch({.topic = "pins", .from = &from2, .next = &next2, .rows = rows2});
  EXPECT_EQ(down.code(), StatusCode::kUnavailable) << down.ToString();
  EXPECT_EQ((*sink)->ReadPositions("pins").status().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(server->Start());
  auto positions = (*sink)->ReadPositions("pins");
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  EXPECT_EQ(*positions, next);  // the failed batch left nothing
  EXPECT_TRUE((*sink)->CommitBatch({.topic = "pins", .from = &from2, .next = &next2, .rows = rows2}).ok());
  EXPECT_NE(ReadLiveTables(url)->live[kUid].find("after"), std::string::npos);
}

TEST(PostgresLiveSinkTest, WrongDatabaseIsNotRetryable) {
  auto sink = sinks::OpenLiveSink(server->Url("no_such_database"));
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), StatusCode::kInvalidArgument) << sink.status().ToString();
}

// --- The stream end to end ---------------------------------------------------

class StreamPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(server, nullptr);
    sink_url_ = NewPostgresUrl();
  }

  // Writes `n` fixture records into a fresh log and remembers the expected tables.
  void MakeLog(int n, uint64_t seed) {
    bus::BusOptions options;
    options.url = bus_url_;
    options.sync = "never";
    auto bus = bus::OpenBus(options);
    ASSERT_TRUE(bus.ok()) << bus.status().ToString();
    ASSERT_TRUE((*bus)->CreateTopic("pins", 4).ok());
    ASSERT_TRUE(
        jobs::testing::ProduceAll(bus->get(), "pins", jobs::testing::MakeStreamRecords(n, seed)).ok());
    auto want = jobs::testing::ExpectedTables(bus->get(), "pins");
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    want_ = std::move(want).value();
  }

  std::vector<std::string> StreamArgv(bool once, int batch_records) {
    std::vector<std::string> argv = {PinpipeBin(),
                                     "--data-dir",
                                     dir_.path(),
                                     "--log-level",
                                     "info",
                                     "stream",
                                     "--bus",
                                     bus_url_,
                                     "--sink",
                                     sink_url_,
                                     "--batch-records",
                                     std::to_string(batch_records),
                                     "--batch-delay-ms",
                                     "1",
                                     "--retry-max-ms",
                                     "200"};
    if (once) argv.push_back("--once");
    return argv;
  }

  void ExpectExact() {
    auto got = ReadLiveTables(sink_url_);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(DiffTables(want_, *got), "");
    EXPECT_GT(want_.rejected.size(), 0u);
  }

  TempDir dir_;
  std::string bus_url_ = "log:" + dir_.File("log");
  std::string sink_url_;
  LiveTables want_;
};

// Both commit paths, through the Streamer: 500-record batches take the
// array path by default and the COPY path with pg_copy_min_rows = 100.
TEST_F(StreamPostgresTest, StreamerRunOnceIsExactOnBothCommitPaths) {
  MakeLog(4000, 11);
  bus::BusOptions options;
  options.url = bus_url_;
  auto bus = bus::OpenBus(options);
  ASSERT_TRUE(bus.ok());
  for (size_t copy_min_rows : {size_t{2000}, size_t{100}}) {
    SCOPED_TRACE("pg_copy_min_rows=" + std::to_string(copy_min_rows));
    sink_url_ = NewPostgresUrl();
    sinks::LiveSinkOptions sink_options;
    sink_options.pg_copy_min_rows = copy_min_rows;
    auto sink = sinks::OpenLiveSink(sink_url_, sink_options);
    ASSERT_TRUE(sink.ok());
    jobs::StreamerOptions so;
    so.max_batch_records = 500;
    auto streamer = jobs::Streamer::Open(so, bus->get(), sink->get(), RealClock(), nullptr);
    auto summary = (*streamer)->RunOnce();
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->records, 4000);
    ExpectExact();
  }
}

TEST_F(StreamPostgresTest, KillNineAtRandomPointsLosesAndDoublesNothing) {
  MakeLog(30000, 12);
  std::vector<std::string> argv = StreamArgv(/*once=*/true, 20);
  jobs::testing::KillLoopResult kills =
      jobs::testing::KillNineLoop(argv, sink_url_, want_.positions, 25, 13, dir_.File("stderr"));
  std::printf("kills: %d while running, %d mid-stream\n", kills.killed, kills.mid_stream);
  EXPECT_GE(kills.killed, 25);
  EXPECT_GE(kills.mid_stream, 12);
  auto last = ::pinpipe::testing::Run(argv);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  ExpectExact();
}

// Stops the server (cleanly, then as a crash) under a running `pinpipe
// stream`, starts it again, and expects the stream to recover by itself.
TEST_F(StreamPostgresTest, DatabaseRestartedMidStreamLosesAndDoublesNothing) {
  MakeLog(20000, 14);
  ::pinpipe::testing::SpawnOptions spawn;
  spawn.stderr_path = dir_.File("stream.log");
  auto stream = Subprocess::Start(StreamArgv(/*once=*/false, 50), spawn);
  ASSERT_TRUE(stream.has_value());
  auto progress = [&] {
    auto t = ReadLiveTables(sink_url_);
    int64_t n = 0;
    if (t.ok()) {
      for (const auto& [p, o] : t->positions) n += o;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return progress() > 2000; }, std::chrono::seconds(60)));
  for (bool crash : {false, true}) {
    ASSERT_TRUE(server->Stop(crash));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(500));  // the outage itself, not a wait for a condition
    ASSERT_TRUE(server->Start());
    int64_t at = progress();
    ASSERT_TRUE(
        WaitFor([&] { return progress() > at + 1000 || progress() >= 20000; }, std::chrono::seconds(60)));
  }
  EXPECT_TRUE(WaitFor(
      [&] {
        auto t = ReadLiveTables(sink_url_);
        return t.ok() && t->positions == want_.positions;
      },
      std::chrono::seconds(120)));
  stream->Signal(SIGTERM);
  EXPECT_EQ(stream->Wait(std::chrono::seconds(30)), 0);
  std::string log = ::pinpipe::testing::ReadFile(dir_.File("stream.log"));
  EXPECT_NE(log.find("event=retry"), std::string::npos) << log;
  EXPECT_NE(log.find("event=recovered"), std::string::npos) << log;
  ExpectExact();
}

}  // namespace
}  // namespace pinpipe
