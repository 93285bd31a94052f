#include "sinks/sqlite/sqlite_db.h"

#include <gtest/gtest.h>

#include <string>

#include "subprocess.h"

namespace pinpipe::sinks::sqlite {
namespace {

std::unique_ptr<SqliteDb> OpenOrDie(const std::string& path, const SqliteOpenOptions& options = {}) {
  auto db = SqliteDb::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(SqliteDbTest, BindsAndReadsBackEveryType) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  ASSERT_TRUE(insert->BindInt(1, -9'000'000'000'000LL).ok());
  ASSERT_TRUE(insert->BindDouble(2, 2.5).ok());
  std::string text("a\0b\xc3\xa9", 5);  // embedded NUL and UTF-8 survive
  ASSERT_TRUE(insert->BindText(3, text).ok());
  ASSERT_TRUE(insert->BindNull(4).ok());
  ASSERT_TRUE(insert->Run().ok());

  auto select = db->Prepare("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select.ok());
  ASSERT_EQ(select->ColumnCount(), 4);
  EXPECT_EQ(select->ColumnName(2), "s");
  auto row = select->Step();
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->ColumnInt(0), -9'000'000'000'000LL);
  EXPECT_DOUBLE_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), text);
  EXPECT_FALSE(select->IsNull(2));
  EXPECT_TRUE(select->IsNull(3));
  row = select->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(SqliteDbTest, EmptyTextIsNotNull) {
  auto db = OpenOrDie(":memory:");
  auto st = db->Prepare("SELECT ?1 IS NULL, length(?1)");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->BindText(1, std::string_view()).ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->ColumnInt(0), 0);
  EXPECT_EQ(st->ColumnInt(1), 0);
}

TEST(SqliteDbTest, RunResetsSoTheStatementIsReusable) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(insert->BindInt(1, i).ok());
    ASSERT_TRUE(insert->Run().ok());
  }
  // A constraint failure is reported and leaves the statement usable.
  ASSERT_TRUE(insert->BindInt(1, 3).ok());
  Status dup = insert->Run();
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("UNIQUE constraint failed"), std::string::npos) << dup.message();
  ASSERT_TRUE(insert->BindInt(1, 9).ok());
  EXPECT_TRUE(insert->Run().ok());
  auto count = db->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->ColumnInt(0), 6);
}

TEST(SqliteDbTest, ErrorsCarrySqliteMessageAsItIs) {
  auto db = OpenOrDie(":memory:");
  auto bad = db->Prepare("SELECT * FROM missing_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "no such table: missing_table");
  Status exec = db->Exec("THIS IS NOT SQL");
  EXPECT_FALSE(exec.ok());
  EXPECT_NE(exec.message().find("syntax error"), std::string::npos) << exec.message();
}

TEST(SqliteDbTest, RollbackDiscardsAndCommitKeeps) {
  testing::TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER)").ok());
  ASSERT_TRUE(db->Begin().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(db->Rollback().ok());
  ASSERT_TRUE(db->Begin().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_TRUE(db->Rollback().ok());  // nothing open: harmless

  auto reader = OpenOrDie(dir.File("t.db"), {.read_only = true});
  auto sum = reader->Prepare("SELECT sum(k), count(*) FROM t");
  ASSERT_TRUE(sum.ok());
  ASSERT_TRUE(*sum->Step());
  EXPECT_EQ(sum->ColumnInt(0), 2);
  EXPECT_EQ(sum->ColumnInt(1), 1);
}

TEST(SqliteDbTest, ReadOnlyConnectionRefusesWrites) {
  testing::TempDir dir;
  {
    auto db = OpenOrDie(dir.File("t.db"));
    ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER)").ok());
  }
  auto reader = OpenOrDie(dir.File("t.db"), {.read_only = true});
  Status st = reader->Exec("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("readonly"), std::string::npos) << st.message();
}

TEST(SqliteDbTest, MissingFileWithoutCreateFailsNamingThePath) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("absent.db"), {.create = false});
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("absent.db"), std::string::npos) << db.status().message();
}

TEST(SqliteDbTest, SecondWriterIsUnavailableWhileTheFirstHoldsTheLock) {
  testing::TempDir dir;
  auto a = OpenOrDie(dir.File("t.db"));
  ASSERT_TRUE(a->Exec("CREATE TABLE t (k INTEGER)").ok());
  auto b = OpenOrDie(dir.File("t.db"), {.busy_timeout_ms = 0});
  ASSERT_TRUE(a->Begin().ok());
  Status st = b->Begin();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  ASSERT_TRUE(a->Commit().ok());
  EXPECT_TRUE(b->Begin().ok());
  EXPECT_TRUE(b->Commit().ok());
}

TEST(SqliteDbTest, PageSizeAppliesToANewDatabaseOnly) {
  testing::TempDir dir;
  {
    auto db = OpenOrDie(dir.File("t.db"), {.page_size = 16384});
    ASSERT_TRUE(db->Exec("CREATE TABLE t (k INTEGER)").ok());
  }
  auto again = OpenOrDie(dir.File("t.db"), {.page_size = 4096});
  auto st = again->Prepare("PRAGMA page_size");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->ColumnInt(0), 16384);
}

TEST(SqliteDbTest, NoCopyTextIsReadWhileTheStatementRuns) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Exec("CREATE TABLE t (s TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1)");
  ASSERT_TRUE(insert.ok());
  std::string value = "kept alive until Run returns";
  ASSERT_TRUE(insert->BindTextNoCopy(1, value).ok());
  ASSERT_TRUE(insert->Run().ok());
  value.assign("changed afterwards");
  auto select = db->Prepare("SELECT s FROM t");
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnText(0), "kept alive until Run returns");
}

TEST(SqliteDbTest, MovedStatementKeepsWorking) {
  auto db = OpenOrDie(":memory:");
  auto prepared = db->Prepare("SELECT ?1 + 1");
  ASSERT_TRUE(prepared.ok());
  Statement st = std::move(prepared).value();
  Statement other;
  other = std::move(st);
  ASSERT_TRUE(other.BindInt(1, 41).ok());
  ASSERT_TRUE(*other.Step());
  EXPECT_EQ(other.ColumnInt(0), 42);
}

}  // namespace
}  // namespace pinpipe::sinks::sqlite
