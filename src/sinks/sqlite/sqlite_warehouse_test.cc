#include "sinks/sqlite/sqlite_warehouse.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "subprocess.h"
#include "test_time.h"

namespace pinpipe::sinks::sqlite {
namespace {

using testing::At;

// Collects every result set as text; NULL as "NULL".
class Collect final : public QueryResultSink {
 public:
  Status Columns(const std::vector<std::string>& names) override {
    columns.push_back(names);
    return Status::Ok();
  }
  Status Row(std::span<const QueryValue> values) override {
    std::vector<std::string> row;
    for (const auto& v : values) row.push_back(v.type == QueryValue::Type::kNull ? "NULL" : v.text);
    rows.push_back(row);
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> columns;
  std::vector<std::vector<std::string>> rows;
};

WarehouseRow Row(const std::string& id, const char* at, int32_t partition, int64_t offset,
                 const std::string& title = "t") {
  WarehouseRow row;
  row.record.unique_id = id;
  row.record.title = title;
  row.record.ingested_at = At(at);
  row.partition = partition;
  row.offset = offset;
  return row;
}

class SqliteWarehouseTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteWarehouse> Open(bool read_only = false) {
    auto w = SqliteWarehouse::Open(dir_.File("w.db"), {.read_only = read_only});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(w).value() : nullptr;
  }
  std::vector<std::vector<std::string>> Rows(Warehouse* w, const std::string& sql) {
    Collect c;
    Status st = w->Query(sql, &c);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return c.rows;
  }
  testing::TempDir dir_;
};

TEST_F(SqliteWarehouseTest, SchemaHasTheSharedColumnNamesAndIsVersioned) {
  auto w = Open();
  auto cols = Rows(w.get(), "SELECT name, type FROM pragma_table_info('pins') ORDER BY cid");
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"unique_id", "ind", "title", "description", "poster_name",
                                             "follower_count", "tag_list", "is_video", "media_type", "image_src",
                                             "downloaded", "save_location", "category", "ingested_at", "dt",
                                             "bus_partition", "bus_offset"}));
  auto rejected = Rows(w.get(), "SELECT name FROM pragma_table_info('pins_rejected') ORDER BY cid");
  EXPECT_EQ(rejected.size(), 8u);
  EXPECT_EQ(Rows(w.get(), "SELECT component, version FROM pinpipe_migrations"),
            (std::vector<std::vector<std::string>>{{"warehouse", "1"}, {"warehouse", "2"}}));
  auto indexes = Rows(w.get(), "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='pins' ORDER BY name");
  EXPECT_EQ(indexes, (std::vector<std::vector<std::string>>{{"pins_category"}, {"pins_dt"}}));
  auto plan = Rows(w.get(), "EXPLAIN QUERY PLAN SELECT count(*) FROM pins WHERE dt = '2026-11-26'");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan[0].back().find("pins_dt (dt=?)"), std::string::npos) << plan[0].back();
  plan = Rows(w.get(), "EXPLAIN QUERY PLAN SELECT count(*) FROM pins WHERE category = 'art'");
  EXPECT_NE(plan[0].back().find("pins_category (category=?)"), std::string::npos) << plan[0].back();
  w.reset();
  auto again = Open();  // reopening applies nothing twice
  EXPECT_EQ(Rows(again.get(), "SELECT count(*) FROM pinpipe_migrations"), (std::vector<std::vector<std::string>>{{"2"}}));
}

TEST_F(SqliteWarehouseTest, MigratingAVersionOneWarehouseKeepsItsRowsAndRowids) {
  {
    // Version 1's pins (primary key (dt, unique_id)) with one loaded date
    // whose rows sit at rowids 7 and 9.
    auto db = SqliteDb::Open(dir_.File("w.db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec(R"sql(
CREATE TABLE pinpipe_migrations (component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
                                 applied_at TEXT NOT NULL, PRIMARY KEY (component, version));
INSERT INTO pinpipe_migrations VALUES ('warehouse', 1, 'v1', '2026-11-01T00:00:00Z');
CREATE TABLE pins (unique_id TEXT NOT NULL, ind INTEGER, title TEXT, description TEXT, poster_name TEXT,
  follower_count INTEGER, tag_list TEXT NOT NULL DEFAULT '[]', is_video INTEGER, media_type TEXT, image_src TEXT,
  downloaded INTEGER, save_location TEXT, category TEXT, ingested_at TEXT NOT NULL, dt TEXT NOT NULL,
  bus_partition INTEGER NOT NULL, bus_offset INTEGER NOT NULL, PRIMARY KEY (dt, unique_id));
CREATE INDEX pins_category ON pins (category);
CREATE TABLE pins_rejected (dt TEXT NOT NULL, reason TEXT NOT NULL, field TEXT, detail TEXT, raw TEXT NOT NULL,
  bus_partition INTEGER NOT NULL, bus_offset INTEGER NOT NULL, ingested_at TEXT);
CREATE TABLE pins_dates (dt TEXT PRIMARY KEY NOT NULL, rows INTEGER NOT NULL, rejects INTEGER NOT NULL,
  first_rowid INTEGER, last_rowid INTEGER, loaded_at TEXT NOT NULL);
INSERT INTO pins (rowid, unique_id, title, category, ingested_at, dt, bus_partition, bus_offset)
  VALUES (7, 'a', 'first', 'art', '2026-11-26T10:00:00.000000Z', '2026-11-26', 0, 1),
         (9, 'b', 'second', 'diy', '2026-11-26T10:00:00.000000Z', '2026-11-26', 0, 2);
INSERT INTO pins_dates VALUES ('2026-11-26', 2, 0, 7, 9, '2026-11-26T11:00:00Z');
)sql").ok());
  }
  auto w = Open();
  EXPECT_EQ(Rows(w.get(), "SELECT max(version) FROM pinpipe_migrations"), (std::vector<std::vector<std::string>>{{"2"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT rowid, unique_id, title, category FROM pins ORDER BY rowid"),
            (std::vector<std::vector<std::string>>{{"7", "a", "first", "art"}, {"9", "b", "second", "diy"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='pins' ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"pins_category"}, {"pins_dt"}}));
  std::vector<std::string> titles;
  ASSERT_TRUE(w->ScanDate("2026-11-26", 0, 10, [&](const WarehouseRow& row) {
                 titles.push_back(*row.record.title);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(titles, (std::vector<std::string>{"first", "second"}));
  // The migrated date is replaced like any other.
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", std::vector{Row("c", "2026-11-26T10:00:00Z", 0, 3)}, {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins"), (std::vector<std::vector<std::string>>{{"c"}}));
}

TEST_F(SqliteWarehouseTest, DuplicatesCollapseToTheGreatestIngestedAtPartitionOffset) {
  auto w = Open();
  std::vector<WarehouseRow> rows = {
      Row("a", "2026-11-26T10:00:00Z", 0, 5, "a-old"),
      Row("a", "2026-11-26T11:00:00Z", 0, 1, "a-newest-time"),
      Row("a", "2026-11-26T09:00:00Z", 3, 9, "a-older"),
      Row("b", "2026-11-26T10:00:00Z", 1, 7, "b-p1"),
      Row("b", "2026-11-26T10:00:00Z", 2, 3, "b-p2-wins-on-partition"),
      Row("c", "2026-11-26T10:00:00Z", 1, 8, "c-o8-wins-on-offset"),
      Row("c", "2026-11-26T10:00:00Z", 1, 4, "c-o4"),
  };
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", rows, {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id, title, bus_partition, bus_offset FROM pins ORDER BY unique_id"),
            (std::vector<std::vector<std::string>>{{"a", "a-newest-time", "0", "1"},
                                                   {"b", "b-p2-wins-on-partition", "2", "3"},
                                                   {"c", "c-o8-wins-on-offset", "1", "8"}}));
}

TEST_F(SqliteWarehouseTest, CleanIdsCollapseAcrossCallsAndKeepTheirFirstPlace) {
  // Clean (UUID) ids take the replacement's packed map, unlike the short
  // ids above; versions arrive in separate AddRows calls.
  const std::string x = "00000000-0000-4000-8000-00000000000a";
  const std::string y = "00000000-0000-4000-8000-00000000000b";
  auto w = Open();
  auto r = w->BeginReplace("2026-11-26");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE((*r)->AddRows(std::vector{Row(x, "2026-11-26T10:00:00Z", 0, 1, "x-1"),
                                        Row(y, "2026-11-26T10:00:00Z", 1, 1, "y-1")})
                  .ok());
  ASSERT_TRUE((*r)->AddRows(std::vector{Row(x, "2026-11-26T10:00:01Z", 0, 2, "x-2-newer")}).ok());
  ASSERT_TRUE((*r)->AddRows(std::vector{Row(y, "2026-11-26T09:00:00Z", 1, 2, "y-2-older")}).ok());
  auto counts = (*r)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rows, 2);
  ASSERT_TRUE((*r)->Commit().ok());
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id, title FROM pins ORDER BY rowid"),
            (std::vector<std::vector<std::string>>{{x, "x-2-newer"}, {y, "y-1"}}));
}

TEST_F(SqliteWarehouseTest, PlacesNumberIdsInFirstAddedOrderAcrossCallsAndDates) {
  const std::string x = "00000000-0000-4000-8000-00000000000a";
  const std::string y = "00000000-0000-4000-8000-00000000000b";
  const std::string z = "00000000-0000-4000-8000-00000000000c";
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row(z, "2026-11-25T10:00:00Z", 0, 1)}, {}).ok());
  for (int run = 0; run < 2; ++run) {  // the date's second load numbers the same way
    auto r = w->BeginReplace("2026-11-26");
    ASSERT_TRUE(r.ok());
    std::vector<int64_t> places = {99};
    ASSERT_TRUE((*r)->AddRows(std::vector{Row(x, "2026-11-26T10:00:00Z", 0, 1), Row(y, "2026-11-26T10:00:00Z", 0, 2),
                                          Row(x, "2026-11-26T10:00:01Z", 0, 3), Row("hand-made", "2026-11-26T10:00:00Z", 0, 4)},
                                &places)
                    .ok());
    EXPECT_EQ(places, (std::vector<int64_t>{0, 1, 0, 2}));
    ASSERT_TRUE((*r)->AddRows(std::vector{Row(z, "2026-11-26T10:00:00Z", 1, 1), Row(y, "2026-11-26T09:00:00Z", 1, 2)},
                                &places)
                    .ok());
    EXPECT_EQ(places, (std::vector<int64_t>{3, 1}));
    ASSERT_TRUE((*r)->AddRows(std::vector{Row(z, "2026-11-26T11:00:00Z", 1, 3)}).ok());  // places optional
    ASSERT_TRUE((*r)->Commit().ok());
  }
  // Places are ScanDate's order.
  std::vector<std::string> scanned;
  ASSERT_TRUE(w->ScanDate("2026-11-26", 0, 100, [&](const WarehouseRow& row) {
                 scanned.push_back(row.record.unique_id);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(scanned, (std::vector<std::string>{x, y, "hand-made", z}));
}

TEST_F(SqliteWarehouseTest, ManyRowsWithVersionsNearAndFarKeepTheNewestInFirstAddedOrder) {
  // Rows are inserted many per statement: a newer version may come while
  // its first version still waits for its statement, or long after; calls
  // end mid-statement; another date's rows sit above in rowid order.
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row("other", "2026-11-25T10:00:00Z", 0, 1)}, {}).ok());
  auto id = [](int i) { return fmt::format("00000000-0000-4000-8000-{:012d}", i); };
  std::vector<WarehouseRow> rows;
  std::vector<std::string> first_order;
  for (int i = 0; i < 1000; ++i) {
    std::string title = "v" + std::to_string(i);
    if (i % 7 == 3 && i > 0) {
      // Another version of an id seen 1, 2, ... 500 rows ago, newer unless i % 3.
      int back = 1 + (i * 37) % std::min(i, 500);
      const WarehouseRow& old = rows[i - back];
      bool newer = i % 3 != 0;
      UnixMicros at = *old.record.ingested_at + (newer ? 1 : -1);
      rows.push_back(Row(old.record.unique_id, "2026-11-26T10:00:00Z", 0, 10'000 + i, title));
      rows.back().record.ingested_at = at;
      continue;
    }
    rows.push_back(Row(id(i), "2026-11-26T10:00:00Z", 0, i, title));
    first_order.push_back(id(i));
  }
  // The expected winner per id: greatest (ingested_at, partition, offset).
  std::map<std::string, const WarehouseRow*> best;
  for (const WarehouseRow& r : rows) {
    auto [it, added] = best.try_emplace(r.record.unique_id, &r);
    auto key = [](const WarehouseRow* x) { return std::tuple(*x->record.ingested_at, x->partition, x->offset); };
    if (!added && key(&r) > key(it->second)) it->second = &r;
  }
  std::vector<std::vector<std::string>> want;
  for (const std::string& u : first_order) want.push_back({u, best[u]->record.title.value()});
  // The second run writes over the first one's rows.
  for (const char* run : {"first load", "re-run"}) {
    SCOPED_TRACE(run);
    auto replacement = w->BeginReplace("2026-11-26");
    ASSERT_TRUE(replacement.ok()) << replacement.status().ToString();
    for (size_t at = 0, step = 1; at < rows.size(); at += step, step = step * 3 % 97 + 1) {
      size_t n = std::min(step, rows.size() - at);
      ASSERT_TRUE((*replacement)->AddRows(std::span(rows).subspan(at, n)).ok());
    }
    ASSERT_TRUE((*replacement)->Commit().ok());
    EXPECT_EQ(Rows(w.get(), "SELECT unique_id, title FROM pins WHERE dt = '2026-11-26' ORDER BY rowid"), want);
  }
  EXPECT_EQ(Rows(w.get(), "SELECT min(rowid), max(rowid) FROM pins WHERE dt = '2026-11-26'"),
            (std::vector<std::vector<std::string>>{{"2", std::to_string(1 + first_order.size())}}));
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins WHERE dt = '2026-11-25'"),
            (std::vector<std::vector<std::string>>{{"other"}}));
}

TEST_F(SqliteWarehouseTest, ReplacingADateIsIdempotentAndLeavesOtherDatesAlone) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row("x", "2026-11-25T10:00:00Z", 0, 0)}, {}).ok());
  std::vector<WarehouseRow> day = {Row("a", "2026-11-26T10:00:00Z", 0, 1), Row("b", "2026-11-26T10:00:00Z", 0, 2)};
  WarehouseReject reject{"invalid_json", "", "not JSON", "{oops", 0, 3, At("2026-11-26T10:00:00Z")};
  for (int run = 0; run < 3; ++run) {
    ASSERT_TRUE(w->ReplaceDate("2026-11-26", day, std::vector{reject}).ok());
  }
  EXPECT_EQ(Rows(w.get(), "SELECT dt, count(*) FROM pins GROUP BY dt ORDER BY dt"),
            (std::vector<std::vector<std::string>>{{"2026-11-25", "1"}, {"2026-11-26", "2"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT dt, reason, field, detail, raw, bus_offset, ingested_at FROM pins_rejected"),
            (std::vector<std::vector<std::string>>{
                {"2026-11-26", "invalid_json", "NULL", "not JSON", "{oops", "3", "2026-11-26T10:00:00.000000Z"}}));
  // A smaller re-run replaces, it does not merge.
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", std::vector{Row("c", "2026-11-26T10:00:00Z", 0, 9)}, {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins WHERE dt='2026-11-26'"),
            (std::vector<std::vector<std::string>>{{"c"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT count(*) FROM pins_rejected"), (std::vector<std::vector<std::string>>{{"0"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT dt, rows, rejects FROM pins_dates ORDER BY dt"),
            (std::vector<std::vector<std::string>>{{"2026-11-25", "1", "0"}, {"2026-11-26", "1", "0"}}));
}

TEST_F(SqliteWarehouseTest, AnUncommittedReplacementChangesNothing) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", std::vector{Row("a", "2026-11-26T10:00:00Z", 0, 1)}, {}).ok());
  {
    auto r = w->BeginReplace("2026-11-26");
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE((*r)->AddRows(std::vector{Row("b", "2026-11-26T10:00:00Z", 0, 2)}).ok());
    auto counts = (*r)->Counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->rows, 1);  // the old "a" is gone inside the transaction
    // Other connections still see the old date while it is open.
    auto reader = SqliteWarehouse::Open(dir_.File("w.db"), {.read_only = true});
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(Rows(reader->get(), "SELECT unique_id FROM pins"), (std::vector<std::vector<std::string>>{{"a"}}));
  }  // destroyed without Commit
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins"), (std::vector<std::vector<std::string>>{{"a"}}));
}

std::vector<WarehouseRow> Scan(Warehouse* w, const std::string& dt, int64_t first, int64_t count) {
  std::vector<WarehouseRow> seen;
  Status st = w->ScanDate(dt, first, count, [&](const WarehouseRow& row) {
    seen.push_back(row);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return seen;
}

TEST_F(SqliteWarehouseTest, OldRowsGoAsNewRowsComeInAndWhateverIsLeftGoesBeforeTheCount) {
  auto w = Open();
  auto day = [](const std::string& prefix, int n) {
    std::vector<WarehouseRow> rows;
    for (int i = 0; i < n; ++i) rows.push_back(Row(fmt::format("{}{}", prefix, i), "2026-11-26T10:00:00Z", 0, i));
    return rows;
  };
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row("other", "2026-11-25T10:00:00Z", 0, 1)}, {}).ok());
  // Fewer new rows than old ones, then more; new rows written over the old
  // ones (the recorded range intact), or after the table (a row of the
  // range deleted by hand: the range no longer says where the date is).
  for (auto [fresh, hole] : {std::pair{30, false}, {150, false}, {30, true}, {150, true}}) {
    SCOPED_TRACE(fmt::format("{} new rows, hole {}", fresh, hole));
    ASSERT_TRUE(w->ReplaceDate("2026-11-26", day("old", 100), {}).ok());
    if (hole) Rows(w.get(), "DELETE FROM pins WHERE unique_id = 'old50'");
    // A row of the date written by hand, outside the range the load recorded.
    Rows(w.get(), "INSERT INTO pins (unique_id, tag_list, ingested_at, dt, bus_partition, bus_offset) "
                  "VALUES ('stray', '[]', '2026-11-26T10:00:00.000000Z', '2026-11-26', 0, 0)");
    auto old_left = [&] {
      return Rows(w.get(), "SELECT count(*) FROM pins WHERE dt = '2026-11-26' AND unique_id GLOB 'old*'")[0][0];
    };
    auto r = w->BeginReplace("2026-11-26");
    ASSERT_TRUE(r.ok());
    std::vector<WarehouseRow> rows = day("new", fresh);
    for (size_t i = 0; i < rows.size(); i += 10) {
      ASSERT_TRUE((*r)->AddRows(std::span(rows).subspan(i, 10)).ok());
      // One old row out per new row in, while there are old rows (old0,
      // old1, ... in rowid order; a hole goes by as if it were a row).
      int left = 0;
      for (int k = static_cast<int>(i) + 10; k < 100; ++k) left += hole && k == 50 ? 0 : 1;
      EXPECT_EQ(old_left(), std::to_string(left));
    }
    auto counts = (*r)->Counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->rows, fresh);
    EXPECT_EQ(old_left(), "0");
    ASSERT_TRUE((*r)->Commit().ok());
    EXPECT_EQ(Rows(w.get(), "SELECT count(*) FROM pins WHERE dt = '2026-11-26' AND unique_id NOT GLOB 'new*'"),
              (std::vector<std::vector<std::string>>{{"0"}}));
    EXPECT_EQ(Scan(w.get(), "2026-11-26", 0, 1000).size(), static_cast<size_t>(fresh));
    EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins WHERE dt = '2026-11-25'"),
              (std::vector<std::vector<std::string>>{{"other"}}));
    EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
  }
}

// Rows "<prefix>0", "<prefix>1", ... of 2026-11-26 in `category`.
std::vector<WarehouseRow> Day(const std::string& prefix, int n, const std::string& category = "art",
                              const std::string& title = "t") {
  std::vector<WarehouseRow> rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(Row(fmt::format("{}{}", prefix, i), "2026-11-26T10:00:00Z", 0, i, title));
    rows.back().record.category = category;
  }
  return rows;
}

using Table = std::vector<std::vector<std::string>>;

TEST_F(SqliteWarehouseTest, AReRunWritesItsRowsOverTheOldOnesRowidForRowid) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row("before", "2026-11-25T10:00:00Z", 0, 1)}, {}).ok());
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("a", 50), {}).ok());
  ASSERT_TRUE(w->ReplaceDate("2026-11-27", std::vector{Row("after", "2026-11-27T10:00:00Z", 0, 1)}, {}).ok());
  const Table placed = Rows(w.get(), "SELECT rowid, unique_id FROM pins WHERE dt = '2026-11-26' ORDER BY rowid");
  ASSERT_EQ(placed.size(), 50u);
  ASSERT_EQ(placed.front()[0], "2");
  // The same ids cleaned again: new titles, and every fifth row moves to
  // another category (its index entry must move with it).
  std::vector<WarehouseRow> again = Day("a", 50, "art", "v2");
  for (size_t i = 0; i < again.size(); i += 5) again[i].record.category = "travel";
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", again, {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT rowid, unique_id FROM pins WHERE dt = '2026-11-26' ORDER BY rowid"), placed);
  EXPECT_EQ(Rows(w.get(), "SELECT max(rowid), count(*) FROM pins"), (Table{{"52", "52"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT count(*) FROM pins WHERE dt = '2026-11-26' AND title = 'v2'"), (Table{{"50"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT category, count(*) FROM pins INDEXED BY pins_category "
                          "WHERE category IN ('art', 'travel') GROUP BY 1 ORDER BY 1"),
            (Table{{"art", "40"}, {"travel", "10"}}));
  EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (Table{{"ok"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT first_rowid, last_rowid, rows FROM pins_dates WHERE dt = '2026-11-26'"),
            (Table{{"2", "51", "50"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT unique_id FROM pins WHERE dt <> '2026-11-26' ORDER BY rowid"),
            (Table{{"before"}, {"after"}}));
}

TEST_F(SqliteWarehouseTest, ARunLargerThanTheOldRangeGoesPastTheTableUntilTheNextRunGathersIt) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("a", 5), {}).ok());                                      // 1..5
  ASSERT_TRUE(w->ReplaceDate("2026-11-27", std::vector{Row("after", "2026-11-27T10:00:00Z", 0, 1)}, {}).ok());  // 6
  std::vector<WarehouseRow> more = Day("a", 5);
  for (WarehouseRow& row : Day("b", 3)) more.push_back(row);
  auto layout = [&] {
    return Rows(w.get(), "SELECT group_concat(rowid || ':' || unique_id, ' ') FROM "
                         "(SELECT rowid, unique_id FROM pins WHERE dt = '2026-11-26' ORDER BY rowid)")[0][0];
  };
  auto scanned = [&](int64_t first, int64_t count) {
    std::string ids;
    for (const WarehouseRow& row : Scan(w.get(), "2026-11-26", first, count)) ids += row.record.unique_id + " ";
    return ids;
  };
  auto range = [&] { return Rows(w.get(), "SELECT first_rowid, last_rowid FROM pins_dates WHERE dt = '2026-11-26'"); };
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", more, {}).ok());
  EXPECT_EQ(layout(), "1:a0 2:a1 3:a2 4:a3 5:a4 7:b0 8:b1 9:b2");
  EXPECT_EQ(range(), (Table{{"NULL", "NULL"}}));  // not one range: scans go by the date's index
  EXPECT_EQ(scanned(0, 100), "a0 a1 a2 a3 a4 b0 b1 b2 ");
  EXPECT_EQ(scanned(4, 2), "a4 b0 ");
  // Without a range the next run goes after the table, in one range again.
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", more, {}).ok());
  EXPECT_EQ(layout(), "10:a0 11:a1 12:a2 13:a3 14:a4 15:b0 16:b1 17:b2");
  EXPECT_EQ(range(), (Table{{"10", "17"}}));
  // At the table's end the range grows in place.
  for (WarehouseRow& row : Day("c", 2)) more.push_back(row);
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", more, {}).ok());
  EXPECT_EQ(layout(), "10:a0 11:a1 12:a2 13:a3 14:a4 15:b0 16:b1 17:b2 18:c0 19:c1");
  EXPECT_EQ(range(), (Table{{"10", "19"}}));
  EXPECT_EQ(scanned(7, 2), "b2 c0 ");
  EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (Table{{"ok"}}));
}

TEST_F(SqliteWarehouseTest, WhenMostRowsWrittenOverChangeCategoryTheRestGoesAfterTheTable) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("a", 600), {}).ok());  // rowids 1..600
  ASSERT_TRUE(w->ReplaceDate("2026-11-27", std::vector{Row("after", "2026-11-27T10:00:00Z", 0, 1)}, {}).ok());
  auto rowids = [&](const char* where) {
    return Rows(w.get(), std::string("SELECT min(rowid), max(rowid), count(*) FROM pins WHERE dt = '2026-11-26' AND ") +
                             where)[0];
  };
  auto replace_in_two_calls = [&](const std::vector<WarehouseRow>& rows) {
    auto r = w->BeginReplace("2026-11-26");
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE((*r)->AddRows(std::span(rows).first(300)).ok());
    ASSERT_TRUE((*r)->AddRows(std::span(rows).subspan(300)).ok());
    ASSERT_TRUE((*r)->Commit().ok());
  };
  // One row in five changing category: all written over, in place.
  std::vector<WarehouseRow> some = Day("a", 600);
  for (size_t i = 0; i < some.size(); i += 5) some[i].record.category = "travel";
  replace_in_two_calls(some);
  EXPECT_EQ(rowids("1"), (std::vector<std::string>{"1", "600", "600"}));
  // Every row changing category (the ids' order shifted, say): the first
  // call's rows are written over, then the rest go after the table.
  std::vector<WarehouseRow> moved = Day("b", 600, "travel");
  replace_in_two_calls(moved);
  EXPECT_EQ(rowids("rowid <= 600"), (std::vector<std::string>{"1", "300", "300"}));
  EXPECT_EQ(rowids("rowid > 600"), (std::vector<std::string>{"602", "901", "300"}));
  EXPECT_EQ(Rows(w.get(), "SELECT count(*) FROM pins INDEXED BY pins_category WHERE category = 'travel'"),
            (Table{{"600"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT first_rowid, last_rowid FROM pins_dates WHERE dt = '2026-11-26'"),
            (Table{{"NULL", "NULL"}}));
  std::vector<WarehouseRow> seen = Scan(w.get(), "2026-11-26", 0, 1000);
  ASSERT_EQ(seen.size(), 600u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].record.unique_id, moved[i].record.unique_id);
  EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (Table{{"ok"}}));
}

TEST_F(SqliteWarehouseTest, RowsAddedAfterACountGoWhereTheOldRowsTheCountDeletedWere) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("old", 10), {}).ok());  // rowids 1..10
  auto r = w->BeginReplace("2026-11-26");
  ASSERT_TRUE(r.ok());
  std::vector<WarehouseRow> rows = Day("n", 6);
  std::vector<int64_t> places;
  ASSERT_TRUE((*r)->AddRows(std::span(rows).first(4), &places).ok());
  EXPECT_EQ(places, (std::vector<int64_t>{0, 1, 2, 3}));
  auto counts = (*r)->Counts();  // old rows 5..10 go now
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rows, 4);
  WarehouseRow newer = Row("n1", "2026-11-26T11:00:00Z", 0, 99, "newer");
  newer.record.category = "travel";
  std::vector<WarehouseRow> later = {rows[4], newer, rows[5]};
  ASSERT_TRUE((*r)->AddRows(later, &places).ok());
  EXPECT_EQ(places, (std::vector<int64_t>{4, 1, 5}));
  counts = (*r)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rows, 6);
  ASSERT_TRUE((*r)->Commit().ok());
  EXPECT_EQ(Rows(w.get(), "SELECT rowid, unique_id, title, category FROM pins ORDER BY rowid"),
            (Table{{"1", "n0", "t", "art"},
                   {"2", "n1", "newer", "travel"},
                   {"3", "n2", "t", "art"},
                   {"4", "n3", "t", "art"},
                   {"5", "n4", "t", "art"},
                   {"6", "n5", "t", "art"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT first_rowid, last_rowid, rows FROM pins_dates"), (Table{{"1", "6", "6"}}));
  EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (Table{{"ok"}}));
}

TEST_F(SqliteWarehouseTest, AnotherDatesRowInsideTheOldRangeIsLeftAloneAndTheRunGoesAfterTheTable) {
  auto w = Open();
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("old", 4), {}).ok());  // rowids 1..4
  // By hand: a row of the date goes, another date's row takes its rowid.
  Rows(w.get(), "DELETE FROM pins WHERE rowid = 2");
  Rows(w.get(), "INSERT INTO pins (rowid, unique_id, tag_list, ingested_at, dt, bus_partition, bus_offset) "
                "VALUES (2, 'intruder', '[]', '2026-11-25T10:00:00.000000Z', '2026-11-25', 0, 0)");
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", Day("new", 4), {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT rowid, unique_id, dt FROM pins ORDER BY rowid"),
            (Table{{"2", "intruder", "2026-11-25"},
                   {"5", "new0", "2026-11-26"},
                   {"6", "new1", "2026-11-26"},
                   {"7", "new2", "2026-11-26"},
                   {"8", "new3", "2026-11-26"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT first_rowid, last_rowid FROM pins_dates WHERE dt = '2026-11-26'"),
            (Table{{"5", "8"}}));
}

TEST_F(SqliteWarehouseTest, ScanDateReturnsEveryFieldInFirstAddedOrder) {
  auto w = Open();
  WarehouseRow full = Row("f", "2026-11-26T10:00:00.123456Z", 2, 40, "Title \"quoted\"\nline");
  full.record.ind = 7;
  full.record.description = "desc …\u00a0";
  full.record.poster_name = "poster";
  full.record.follower_count = 12000;
  full.record.tag_list = {"a,b", "quote\"", "tab\t", "😀"};
  full.record.is_video = false;
  full.record.media_type = "image";
  full.record.image_src = "https://i.pinimg.com/x.jpg";
  full.record.downloaded = true;
  full.record.save_location = "/data/art";
  full.record.category = "art";
  WarehouseRow sparse = Row("e", "2026-11-26T10:00:01Z", 0, 1);
  sparse.record.title.reset();
  ASSERT_TRUE(w->ReplaceDate("2026-11-25", std::vector{Row("z", "2026-11-25T10:00:00Z", 0, 0)}, {}).ok());
  // Inserted, then written over rows that held the other row's values (every
  // field changes; the category too, or not).
  for (const char* how : {"inserted", "over another category", "over the same category"}) {
    SCOPED_TRACE(how);
    if (how != std::string("inserted")) {
      if (how == std::string("over the same category")) sparse.record.category = "art";
      WarehouseRow f_was = sparse, e_was = full;
      f_was.record.unique_id = "f";
      e_was.record.unique_id = "e";
      ASSERT_TRUE(w->ReplaceDate("2026-11-26", std::vector{f_was, e_was}, {}).ok());
    }
    ASSERT_TRUE(w->ReplaceDate("2026-11-26", std::vector{full, sparse}, {}).ok());
    auto reader = w->OpenReader();
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<WarehouseRow> seen = Scan(reader->get(), "2026-11-26", 0, 100);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], full);
    EXPECT_EQ(seen[1], sparse);
    EXPECT_EQ(Rows(w.get(), "SELECT tag_list, is_video, downloaded FROM pins WHERE unique_id='f'"),
              (std::vector<std::vector<std::string>>{{R"(["a,b","quote\"","tab\t","😀"])", "0", "1"}}));
    EXPECT_EQ(Rows(w.get(), "SELECT rowid FROM pins WHERE dt = '2026-11-26' ORDER BY rowid"),
              (std::vector<std::vector<std::string>>{{"2"}, {"3"}}));
  }
  EXPECT_EQ(Rows(w.get(), "PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
}

TEST_F(SqliteWarehouseTest, ScanDateRangesSplitTheDateEvenWithHoles) {
  auto w = Open();
  std::vector<WarehouseRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(Row("id" + std::to_string(i), "2026-11-26T10:00:00Z", 0, i));
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", rows, {}).ok());
  auto ids = [](const std::vector<WarehouseRow>& v) {
    std::string out;
    for (const auto& r : v) out += r.record.unique_id.substr(2);
    return out;
  };
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 0, 4)), "0123");
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 4, 4)), "4567");
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 8, 4)), "89");
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-27", 0, 4)), "");
  Collect ignored;
  ASSERT_TRUE(w->Query("DELETE FROM pins WHERE unique_id = 'id2'", &ignored).ok());  // a hole
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 0, 4)) + ids(Scan(w.get(), "2026-11-26", 4, 4)) +
                ids(Scan(w.get(), "2026-11-26", 8, 4)),
            "013456789");
  // Without the load record: exact ranges by LIMIT/OFFSET.
  ASSERT_TRUE(w->Query("DELETE FROM pins_dates", &ignored).ok());
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 0, 4)), "0134");
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 4, 4)), "5678");
  EXPECT_EQ(ids(Scan(w.get(), "2026-11-26", 8, 4)), "9");
}

TEST_F(SqliteWarehouseTest, IngestedAtIsStoredAsFixedWidthRfc3339Micros) {
  auto w = Open();
  std::vector<WarehouseRow> rows = {Row("a", "2026-11-26T10:00:00.000001Z", 0, 1),
                                    Row("b", "2026-11-26T10:00:00.999999Z", 0, 2),
                                    Row("c", "2026-11-26T10:00:01Z", 0, 3),
                                    Row("d", "1969-12-31T23:59:59.000001Z", 0, 4)};
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", rows, {}).ok());
  EXPECT_EQ(Rows(w.get(), "SELECT ingested_at FROM pins ORDER BY unique_id"),
            (std::vector<std::vector<std::string>>{{"2026-11-26T10:00:00.000001Z"},
                                                   {"2026-11-26T10:00:00.999999Z"},
                                                   {"2026-11-26T10:00:01.000000Z"},
                                                   {"1969-12-31T23:59:59.000001Z"}}));
}

TEST_F(SqliteWarehouseTest, ARollbackJournalIsUsedAndAWalWarehouseIsConverted) {
  // A warehouse file an older build left in WAL mode (the mode persists in
  // the file after its connections close).
  std::string path = dir_.File("w.db");
  auto made = testing::Run({"sqlite3", path, "PRAGMA journal_mode=WAL; CREATE TABLE kept (v); INSERT INTO kept VALUES (42);"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_EQ(testing::Run({"sqlite3", path, "PRAGMA journal_mode"}).out, "wal\n");
  auto w = Open();
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(Rows(w.get(), "PRAGMA journal_mode"), (std::vector<std::vector<std::string>>{{"delete"}}));
  EXPECT_EQ(Rows(w.get(), "SELECT v FROM kept"), (std::vector<std::vector<std::string>>{{"42"}}));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));

  std::vector<WarehouseRow> rows;
  for (int i = 0; i < 2000; ++i) rows.push_back(Row("id" + std::to_string(i), "2026-11-26T10:00:00Z", 0, i));
  ASSERT_TRUE(w->ReplaceDate("2026-11-26", rows, {}).ok());
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));  // committed: the journal is gone
  auto reader = Open(/*read_only=*/true);
  EXPECT_EQ(Rows(reader.get(), "SELECT count(*) FROM pins"), (std::vector<std::vector<std::string>>{{"2000"}}));
}

TEST_F(SqliteWarehouseTest, NewDatabasesUseLargePages) {
  auto w = Open();
  EXPECT_EQ(Rows(w.get(), "PRAGMA page_size"), (std::vector<std::vector<std::string>>{{"16384"}}));
}

TEST_F(SqliteWarehouseTest, BadDatesAndRowsWithoutIngestedAtAreRefused) {
  auto w = Open();
  EXPECT_EQ(w->BeginReplace("2026-2-3").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w->BeginReplace("2026-02-30").status().code(), StatusCode::kInvalidArgument);
  WarehouseRow row = Row("a", "2026-11-26T10:00:00Z", 0, 1);
  row.record.ingested_at.reset();
  EXPECT_EQ(w->ReplaceDate("2026-11-26", std::vector{row}, {}).code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteWarehouseTest, QueryStreamsEveryStatementAndPassesErrorsThrough) {
  auto w = Open();
  Collect c;
  ASSERT_TRUE(w->Query("SELECT 1 AS one, 2.5 AS x, NULL AS n, 'é' AS s, x'00ff' AS b; -- note\n SELECT 2", &c).ok());
  ASSERT_EQ(c.columns.size(), 2u);
  EXPECT_EQ(c.columns[0], (std::vector<std::string>{"one", "x", "n", "s", "b"}));
  EXPECT_EQ(c.rows[0], (std::vector<std::string>{"1", "2.5", "NULL", "é", "X'00FF'"}));
  EXPECT_EQ(c.rows[1], (std::vector<std::string>{"2"}));
  Status bad = w->Query("SELECT nope FROM pins", &c);
  EXPECT_EQ(bad.message(), "no such column: nope");
}

TEST_F(SqliteWarehouseTest, ReadOnlyRefusesWritesAndAMissingFileIsNotFound) {
  auto missing = SqliteWarehouse::Open(dir_.File("absent.db"), {.read_only = true});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("pinpipe batch"), std::string::npos);
  Open().reset();
  auto reader = Open(/*read_only=*/true);
  Collect c;
  Status st = reader->Query("DELETE FROM pins", &c);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("readonly"), std::string::npos) << st.message();
}

TEST_F(SqliteWarehouseTest, AReaderRollsBackWhatAKilledReplacementLeftAndSeesTheOldDate) {
  // Rows big enough that the replacement below outgrows a 1 MiB page cache.
  const std::string title(200, 't');
  std::vector<WarehouseRow> old_rows;
  for (int i = 0; i < 10000; ++i) {
    old_rows.push_back(Row(fmt::format("old{}", i), "2026-11-26T10:00:00Z", 0, i, title));
  }
  ASSERT_TRUE(Open()->ReplaceDate("2026-11-26", old_rows, {}).ok());
  // A child replaces the date with a tiny page cache (so pages reach the
  // file and the journal) and dies without rolling back or closing.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto w = SqliteWarehouse::Open(dir_.File("w.db"), {.cache_mib = 1});
    if (!w.ok()) _exit(2);
    auto r = (*w)->BeginReplace("2026-11-26");
    if (!r.ok()) _exit(3);
    std::vector<WarehouseRow> fresh;
    for (int i = 0; i < 10000; ++i) {
      fresh.push_back(Row(fmt::format("new{}", i), "2026-11-26T11:00:00Z", 1, i, title));
    }
    if (!(*r)->AddRows(fresh).ok()) _exit(4);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_TRUE(std::filesystem::exists(dir_.File("w.db-journal")));

  auto reader = Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Rows(reader.get(), "SELECT count(*), min(unique_id), max(unique_id) FROM pins WHERE dt = '2026-11-26' "
                               "AND unique_id GLOB 'old*'"),
            (std::vector<std::vector<std::string>>{{"10000", "old0", "old9999"}}));
  EXPECT_EQ(Rows(reader.get(), "SELECT count(*) FROM pins"), (std::vector<std::vector<std::string>>{{"10000"}}));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("w.db-journal")));
}

TEST_F(SqliteWarehouseTest, ALiveSinkRejectTableInTheSameFileIsExplained) {
  {
    auto db = SqliteDb::Open(dir_.File("w.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE pins_rejected (id INTEGER PRIMARY KEY, reason TEXT)").ok());
  }
  auto w = SqliteWarehouse::Open(dir_.File("w.db"), {});
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("separate files"), std::string::npos) << w.status().message();
}

Result<std::vector<std::string>> TagListFromJson(std::string_view json) {
  std::vector<std::string> tags;
  PINPIPE_RETURN_IF_ERROR(ReadTagListJson(json, &tags));
  return tags;
}

TEST(TagListJsonTest, RoundTripsAndRejectsGarbage) {
  std::vector<std::string> tags = {"", "plain", "with \"quote\" and \\", "ctl\x01", "é😀"};
  std::string json;
  pin::AppendTagListJson(tags, &json);
  auto back = TagListFromJson(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, tags);
  EXPECT_EQ(*TagListFromJson(" [ \"a\" , \"\\u00e9\\ud83d\\ude00\" ] "), (std::vector<std::string>{"a", "é😀"}));
  EXPECT_TRUE(TagListFromJson("[]")->empty());
  for (const char* bad : {"", "[", "[1]", "[\"a\",]", "{}", "[\"a\"] x", "[\"\\ud800\"]"}) {
    EXPECT_FALSE(TagListFromJson(bad).ok()) << bad;
  }
}

TEST(TagListJsonTest, SaysWhetherTheTextIsExactlyWhatTheWriterWrites) {
  auto as_written = [](std::string_view json) {
    std::vector<std::string> tags = {"stale", "stale", "stale"};
    bool exact = false;
    Status st = ReadTagListJson(json, &tags, &exact);
    EXPECT_TRUE(st.ok()) << json << ": " << st.ToString();
    std::string again;
    pin::AppendTagListJson(tags, &again);
    if (exact) {
      EXPECT_EQ(again, json);  // true only when it is so
    }
    return exact;
  };
  EXPECT_TRUE(as_written("[]"));
  EXPECT_TRUE(as_written(R"([""])"));
  EXPECT_TRUE(as_written(R"(["a","b c","é😀"])"));
  EXPECT_FALSE(as_written(R"([ "a"])"));
  EXPECT_FALSE(as_written(R"(["a", "b"])"));
  EXPECT_FALSE(as_written(R"(["q\"uote"])"));
  EXPECT_FALSE(as_written(R"(["\u0041"])"));
  EXPECT_FALSE(as_written("[\"a\"]\n"));
  // Not JSON the plain reader may take: refused by both readers.
  std::vector<std::string> tags;
  bool exact = true;
  for (const char* bad : {"[\"a\",]", "[\"a\"\"b\"]", "[,\"a\"]", "[\"a\x01\"]", "[\"\xff\"]"}) {
    EXPECT_FALSE(ReadTagListJson(bad, &tags, &exact).ok()) << bad;
  }
}

TEST(TagListJsonTest, ReadingReplacesWhatTheVectorHeld) {
  std::vector<std::string> tags = {"old-1", "old-2", "old-3"};
  ASSERT_TRUE(ReadTagListJson(R"(["new"])", &tags).ok());
  EXPECT_EQ(tags, (std::vector<std::string>{"new"}));
  ASSERT_TRUE(ReadTagListJson(R"(["a","b"])", &tags).ok());
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(ReadTagListJson("[]", &tags).ok());
  EXPECT_TRUE(tags.empty());
}

}  // namespace
}  // namespace pinpipe::sinks::sqlite
