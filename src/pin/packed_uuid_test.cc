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

TEST(PackedUuidTest, EveryByteAtEveryPositionIsJudgedAlone) {
  const std::string good = "0123abcd-4567-89ef-a0b1-c2d3e4f5a6b7";
  PackedUuid base{};
  ASSERT_TRUE(PackUuid(good, &base));
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (int c = 0; c < 256; ++c) {
      std::string id = good;
      id[pos] = static_cast<char>(c);
      bool dash_place = pos == 8 || pos == 13 || pos == 18 || pos == 23;
      bool want = dash_place ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      PackedUuid got{};
      ASSERT_EQ(PackUuid(id, &got), want) << "position " << pos << " byte " << c;
      if (!want || dash_place) continue;
      // The digit lands in its byte's nibble and nowhere else.
      size_t digit = pos - (pos > 8) - (pos > 13) - (pos > 18) - (pos > 23);
      PackedUuid expected = base;
      int value = c <= '9' ? c - '0' : c - 'a' + 10;
      uint8_t& byte = expected[digit / 2];
      byte = digit % 2 == 0 ? static_cast<uint8_t>((byte & 0x0F) | value << 4)
                            : static_cast<uint8_t>((byte & 0xF0) | value);
      EXPECT_EQ(got, expected) << id;
    }
  }
}

TEST(PackedUuidTest, DistinctIdsHashApart) {
  PackedUuid a{}, b{};
  ASSERT_TRUE(PackUuid("00112233-4455-6677-8899-aabbccddeeff", &a));
  ASSERT_TRUE(PackUuid("00112233-4455-6677-8899-aabbccddee00", &b));
  EXPECT_NE(PackedUuidHash{}(a), PackedUuidHash{}(b));
}

}  // namespace
}  // namespace pinpipe::pin
