#include <gtest/gtest.h>

#include "sinks/warehouse.h"
#include "subprocess.h"

namespace pinpipe::sinks {
namespace {

TEST(OpenWarehouseTest, UrlForms) {
  testing::TempDir dir;
  auto sqlite = OpenWarehouse("sqlite:" + dir.File("w.db"));
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
  EXPECT_EQ((*sqlite)->Describe(), "sqlite:" + dir.File("w.db"));
  auto ch = OpenWarehouse("clickhouse://127.0.0.1:8123/db");
  EXPECT_EQ(ch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ch.status().message().find("not built yet"), std::string::npos);
  auto bad = OpenWarehouse("mysql://x");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("sqlite:<path>"), std::string::npos);
  EXPECT_EQ(OpenWarehouse("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenWarehouseTest, QueryAllKeepsTheLastResultSet) {
  testing::TempDir dir;
  auto w = OpenWarehouse("sqlite:" + dir.File("w.db"));
  ASSERT_TRUE(w.ok());
  auto result = (*w)->QueryAll("SELECT 1; SELECT 'a' AS x, NULL AS y UNION ALL SELECT 'b', 2");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->columns, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(result->rows[0][0].text, "a");
  EXPECT_EQ(result->rows[0][1].type, QueryValue::Type::kNull);
  EXPECT_EQ(result->rows[1][1].type, QueryValue::Type::kInteger);
  EXPECT_EQ((*w)->QueryAll("SELECT nope").status().message(), "no such column: nope");
}

}  // namespace
}  // namespace pinpipe::sinks
