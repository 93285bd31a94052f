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

}  // namespace
}  // namespace pinpipe::sinks
