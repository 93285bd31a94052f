// BinaryArray bytes against the array_recv layout (the integration tests
// check that a real server accepts them), and array literals for tag_list.
#include "sinks/postgres/binary_array.h"

#include <gtest/gtest.h>

#include "sinks/postgres/postgres_live_sink.h"
#include "test_text.h"

namespace pinpipe::sinks::postgres {
namespace {

using testing::Bytes;

TEST(BinaryArrayTest, HeaderThenLengthPrefixedElements) {
  BinaryArray a;
  a.Reset(kInt8Oid, 2);
  a.Int64(1);
  a.Int64(-1);
  EXPECT_EQ(std::string(a.Finish()),
            Bytes({0, 0, 0, 1, 0,    0,    0,    0,    0,    0,    0,    20,
                   0, 0, 0, 2, 0,    0,    0,    1,  // ndim, no nulls, int8, n, lbound
                   0, 0, 0, 8, 0,    0,    0,    0,    0,    0,    0,    1,        // 1
                   0, 0, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));  // -1
}

TEST(BinaryArrayTest, NullElementsSetTheHasNullsFlag) {
  BinaryArray a;
  a.Reset(kBoolOid, 2);
  a.Bool(true);
  a.Null();
  std::string bytes(a.Finish());
  EXPECT_EQ(bytes.substr(4, 4), Bytes({0, 0, 0, 1}));
  EXPECT_EQ(bytes.substr(20), Bytes({0, 0, 0, 1, 1, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(BinaryArrayTest, TextIsMadeStorable) {
  BinaryArray a;
  a.Reset(kTextOid, 1);
  a.Text(std::string("a\0", 2));
  EXPECT_EQ(std::string(a.Finish()).substr(20), Bytes({0, 0, 0, 4, 'a', 0xEF, 0xBF, 0xBD}));
}

TEST(BinaryArrayTest, ResetReusesTheBufferForANewArray) {
  BinaryArray a;
  a.Reset(kTextOid, 1);
  a.Null();
  (void)a.Finish();
  a.Reset(kInt4Oid, 0);
  EXPECT_EQ(std::string(a.Finish()), Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(TextArrayLiteralTest, ElementsAreQuotedAndEscaped) {
  std::string out;
  AppendTextArrayLiteral({"a", "b,c", "q\"uote", "back\\slash", "{}", ""}, &out);
  EXPECT_EQ(out, R"({"a","b,c","q\"uote","back\\slash","{}",""})");
  out.clear();
  AppendTextArrayLiteral({}, &out);
  EXPECT_EQ(out, "{}");
}

TEST(PartitionLockKeysTest, OneStableKeyPerTopicPartitionInAscendingOrder) {
  const PositionMap p01{{0, 5}, {1, 9}};
  const std::string keys = PartitionLockKeys("pins", p01);
  EXPECT_EQ(keys, PartitionLockKeys("pins", PositionMap{{0, 1}, {1, 1}}));  // offsets do not matter
  EXPECT_NE(keys, PartitionLockKeys("pins2", p01));
  EXPECT_NE(PartitionLockKeys("pins", {{0, 1}}), PartitionLockKeys("pins", {{1, 1}}));
  EXPECT_EQ(PartitionLockKeys("pins", {}), "{}");
  // "{a,b}" with a < b: sessions lock overlapping sets in the same order.
  ASSERT_EQ(keys.front(), '{');
  ASSERT_EQ(keys.back(), '}');
  const size_t comma = keys.find(',');
  ASSERT_NE(comma, std::string::npos);
  EXPECT_LT(std::stoll(keys.substr(1, comma - 1)), std::stoll(keys.substr(comma + 1)));
  EXPECT_EQ(keys.find(',', comma + 1), std::string::npos);
}

}  // namespace
}  // namespace pinpipe::sinks::postgres
