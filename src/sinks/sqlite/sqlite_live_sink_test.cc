// SqliteLiveSink: schema, newer-wins upserts, dead letters, positions in the
// same transaction. (tests/integration/stream_postgres_test.cc runs the same
// contract against both backends.)
#include "sinks/sqlite/sqlite_live_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "subprocess.h"

namespace pinpipe::sinks::sqlite {
namespace {

using testing::TempDir;

constexpr char kUid[] = "0f3d1a4e-9c2b-4d8e-a1f0-123456789abc";
constexpr UnixMicros kT0 = 1'795'000'000'000'000;  // late 2026

LiveRow Row(std::string uid, UnixMicros ingested_at, bus::PartitionId p, bus::Offset o, std::string title) {
  LiveRow row;
  row.record.unique_id = std::move(uid);
  row.record.title = std::move(title);
  row.record.ingested_at = ingested_at;
  row.position = {p, o};
  return row;
}

class SqliteLiveSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = SqliteLiveSink::Open(path_, {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    sink_ = std::move(sink).value();
  }

  // Commits rows/dead letters at the stored positions, moving each touched
  // partition to one past its highest offset in the batch.
  Status Commit(std::vector<LiveRow> rows, std::vector<DeadLetter> dead = {}) {
    auto from = sink_->ReadPositions("pins");
    if (!from.ok()) return from.status();
    PositionMap next;
    for (const LiveRow& r : rows)
      next[r.position.partition] = std::max(next[r.position.partition], r.position.offset + 1);
    for (const DeadLetter& d : dead)
      next[d.position.partition] = std::max(next[d.position.partition], d.position.offset + 1);
    for (auto& [p, n] : next) {
      auto it = from->find(p);
      if (it != from->end()) n = std::max(n, it->second);
    }
    return sink_->CommitBatch({.topic = "pins", .from = &*from, .next = &next, .rows = rows, .dead = dead});
  }

  // column values of pins_live for one unique_id, as text ("NULL" for null).
  std::vector<std::string> LiveRowText(const std::string& uid) {
    auto db = SqliteDb::Open(path_, {.read_only = true});
    EXPECT_TRUE(db.ok());
    auto st = (*db)->Prepare("SELECT * FROM pins_live WHERE unique_id = ?1");
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_TRUE(st->BindText(1, uid).ok());
    std::vector<std::string> out;
    if (st->Step().value_or(false)) {
      for (int i = 0; i < st->ColumnCount(); ++i)
        out.push_back(st->IsNull(i) ? "NULL" : std::string(st->ColumnText(i)));
    }
    return out;
  }

  int64_t Count(const std::string& sql) {
    auto db = SqliteDb::Open(path_, {.read_only = true});
    auto st = (*db)->Prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_TRUE(st->Step().value_or(false));
    return st->ColumnInt(0);
  }

  TempDir dir_;
  std::string path_ = dir_.File("live.db");
  std::unique_ptr<SqliteLiveSink> sink_;
};

TEST_F(SqliteLiveSinkTest, FreshDatabaseHasSchemaVersionAndNoPositions) {
  EXPECT_EQ(Count("SELECT max(version) FROM pinpipe_migrations WHERE component = 'live'"), 1);
  auto positions = sink_->ReadPositions("pins");
  ASSERT_TRUE(positions.ok());
  EXPECT_TRUE(positions->empty());
  // Reopening migrates nothing twice.
  sink_.reset();
  ASSERT_TRUE(SqliteLiveSink::Open(path_, {}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM pinpipe_migrations"), 1);
}

TEST_F(SqliteLiveSinkTest, EveryColumnIsStoredInItsSqliteForm) {
  LiveRow row = Row(kUid, kT0 + 123456, 2, 7, "Title");
  pin::CleanRecord& r = row.record;
  r.ind = 42;
  r.description = "desc";
  r.poster_name = "poster";
  r.follower_count = 12000;
  r.tag_list = {"a", "b \"q\""};
  r.is_video = false;
  r.media_type = "image";
  r.image_src = "https://i.pinimg.com/x.jpg";
  r.downloaded = true;
  r.save_location = "/data/art";
  r.category = "art";
  ASSERT_TRUE(Commit({row}).ok());
  EXPECT_EQ(LiveRowText(kUid),
            (std::vector<std::string>{kUid, "42", "Title", "desc", "poster", "12000", R"(["a","b \"q\""])",
                                      "0", "image", "https://i.pinimg.com/x.jpg", "1", "/data/art", "art",
                                      FormatRfc3339Micros(kT0 + 123456), "2", "7"}));
}

TEST_F(SqliteLiveSinkTest, NullFieldsStayNullAndEmptyTagsAreAnEmptyArray) {
  LiveRow row = Row(kUid, kT0, 0, 0, "t");
  row.record.title.reset();
  ASSERT_TRUE(Commit({row}).ok());
  std::vector<std::string> cols = LiveRowText(kUid);
  ASSERT_EQ(cols.size(), 16u);
  EXPECT_EQ(cols[2], "NULL");
  EXPECT_EQ(cols[6], "[]");
  EXPECT_EQ(cols[7], "NULL");
}

TEST_F(SqliteLiveSinkTest, NewerVersionReplacesOlder) {
  ASSERT_TRUE(Commit({Row(kUid, kT0, 0, 0, "old")}).ok());
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 1, 0, 1, "new")}).ok());
  EXPECT_EQ(LiveRowText(kUid)[2], "new");
}

TEST_F(SqliteLiveSinkTest, OlderDuplicateNeverOverwritesNewer) {
  // The newer version sits in partition 1; an older one arrives later from partition 0.
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 10, 1, 0, "newer")}).ok());
  ASSERT_TRUE(Commit({Row(kUid, kT0 + 5, 0, 0, "older")}).ok());
  EXPECT_EQ(LiveRowText(kUid)[2], "newer");
  EXPECT_EQ(LiveRowText(kUid)[14], "1");
  auto positions = sink_->ReadPositions("pins");
  EXPECT_EQ(*positions, (PositionMap{{0, 1}, {1, 1}}));  // the older one was still consumed
}

TEST_F(SqliteLiveSinkTest, EqualTimestampsAreOrderedByPartitionThenOffset) {
  ASSERT_TRUE(Commit({Row(kUid, kT0, 1, 5, "p1o5")}).ok());
  ASSERT_TRUE(Commit({Row(kUid, kT0, 0, 9, "p0o9")}).ok());
  EXPECT_EQ(LiveRowText(kUid)[2], "p1o5");
  ASSERT_TRUE(Commit({Row(kUid, kT0, 1, 6, "p1o6")}).ok());
  EXPECT_EQ(LiveRowText(kUid)[2], "p1o6");
}

TEST_F(SqliteLiveSinkTest, DeadLettersAreKeptOncePerPositionWithStorableRaw) {
  DeadLetter d;
  d.rejection = {pin::RejectReason::kInvalidJson, "", "not JSON"};
  d.raw = std::string("{\"x\0\xff", 5);
  d.position = {3, 4};
  d.ingested_at = kT0;
  ASSERT_TRUE(Commit({}, {d}).ok());
  // The same position again (e.g. a dead letter replayed by hand) is skipped.
  PositionMap from = *sink_->ReadPositions("pins");
  PositionMap next = {{3, 6}};
  ASSERT_TRUE(sink_->CommitBatch({.topic = "pins", .from = &from, .next = &next, .dead = {&d, 1}}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM pins_rejected"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM pins_rejected WHERE reason = 'invalid_json' AND field IS NULL AND "
                  "raw = '{\"x' || char(65533) || char(65533) AND bus_partition = 3 AND bus_offset = 4"),
            1);
}

TEST_F(SqliteLiveSinkTest, CommitIsRefusedWhenPositionsMovedAndWritesNothing) {
  ASSERT_TRUE(Commit({Row(kUid, kT0, 0, 0, "a")}).ok());
  PositionMap stale;  // as if read before the commit above
  PositionMap next = {{0, 2}};
  std::vector<LiveRow> rows = {Row(kUid, kT0 + 1, 0, 1, "b")};
  Status st = sink_->CommitBatch({.topic = "pins", .from = &stale, .next = &next, .rows = rows});
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(LiveRowText(kUid)[2], "a");
  EXPECT_EQ(*sink_->ReadPositions("pins"), (PositionMap{{0, 1}}));
}

TEST_F(SqliteLiveSinkTest, PositionsArePerTopic) {
  PositionMap from;
  PositionMap next = {{0, 10}, {1, 20}};
  ASSERT_TRUE(sink_->CommitBatch({.topic = "other", .from = &from, .next = &next}).ok());
  EXPECT_EQ(*sink_->ReadPositions("other"), next);
  EXPECT_TRUE(sink_->ReadPositions("pins")->empty());
}

TEST_F(SqliteLiveSinkTest, RowWithoutIngestedAtIsRefused) {
  LiveRow row = Row(kUid, kT0, 0, 0, "t");
  row.record.ingested_at.reset();
  EXPECT_EQ(Commit({row}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT count(*) FROM pins_live"), 0);
}

TEST_F(SqliteLiveSinkTest, NewerSchemaThanThisBuildIsRefused) {
  sink_.reset();
  {
    auto db = SqliteDb::Open(path_, {});
    ASSERT_TRUE((*db)->Exec("INSERT INTO pinpipe_migrations VALUES ('live', 99, 'future', 'x')").ok());
  }
  auto reopened = SqliteLiveSink::Open(path_, {});
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reopened.status().message().find("upgrade pinpipe"), std::string::npos);
}

}  // namespace
}  // namespace pinpipe::sinks::sqlite
