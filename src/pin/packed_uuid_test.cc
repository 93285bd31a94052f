#include "pin/packed_uuid.h"

#include <gtest/gtest.h>

namespace pinpipe::pin {
namespace {

TEST(PackedUuidTest, PacksALowerCaseUuidIntoItsSixteenBytes) {
  PackedUuid id{};
  ASSERT_TRUE(PackUuid("00112233-4455-6677-8899-aabbccddeeff", &id));
  EXPECT_EQ(id, (PackedUuid{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                            0xee, 0xff}));
}

TEST(PackedUuidTest, RefusesAnythingButTheCleanForm) {
  PackedUuid id{};
  EXPECT_FALSE(PackUuid("", &id));
  EXPECT_FALSE(PackUuid("a", &id));
  EXPECT_FALSE(PackUuid("00112233-4455-6677-8899-AABBCCDDEEFF", &id));   // upper case: not cleaned
  EXPECT_FALSE(PackUuid("00112233-4455-6677-8899-aabbccddeef", &id));    // short
  EXPECT_FALSE(PackUuid("00112233-4455-6677-8899-aabbccddeeff0", &id));  // long
  EXPECT_FALSE(PackUuid("0011223304455-6677-8899-aabbccddeeff", &id));   // dash missing
  EXPECT_FALSE(PackUuid("00112233-4455-6677-8899-aabbccddeefg", &id));   // not hex
}

TEST(PackedUuidTest, DistinctIdsHashApart) {
  PackedUuid a{}, b{};
  ASSERT_TRUE(PackUuid("00112233-4455-6677-8899-aabbccddeeff", &a));
  ASSERT_TRUE(PackUuid("00112233-4455-6677-8899-aabbccddee00", &b));
  EXPECT_NE(PackedUuidHash{}(a), PackedUuidHash{}(b));
}

}  // namespace
}  // namespace pinpipe::pin
