#include <librdkafka/rdkafka.h>

#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "bus/bus.h"

namespace pinpipe::bus {
namespace {

// With INT32_MAX partitions the modulo is the identity for every positive
// hash below INT32_MAX, so this exposes toPositive(murmur2(key)) itself.
int64_t PositiveHash(std::string_view key) { return PartitionForKey(key, INT32_MAX); }

// Expected values are Kafka's own Utils.murmur2 test vectors (signed Java
// ints), with the sign bit cleared as Utils.toPositive does; they were
// re-derived with an independent implementation before being written here.
TEST(PartitionForKeyTest, MatchesKafkaMurmur2Vectors) {
  struct Case {
    const char* key;
    int32_t java_murmur2;
  };
  const Case cases[] = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
      {"1", -1993445489},
  };
  for (const Case& c : cases) {
    int64_t expected = static_cast<int64_t>(static_cast<uint32_t>(c.java_murmur2) & 0x7fffffffu);
    EXPECT_EQ(PositiveHash(c.key), expected) << c.key;
  }
}

TEST(PartitionForKeyTest, ModuloPartitionCount) {
  // toPositive(murmur2("foobar")) = 1357151166.
  EXPECT_EQ(PartitionForKey("foobar", 4), 1357151166 % 4);
  EXPECT_EQ(PartitionForKey("foobar", 12), 1357151166 % 12);
  EXPECT_EQ(PartitionForKey("foobar", 1), 0);
}

TEST(PartitionForKeyTest, EmptyKeyIsPartitionZero) {
  EXPECT_EQ(PartitionForKey("", 8), 0);
}

// librdkafka's "murmur2" partitioner is documented as Java compatible: the
// same key must land in the same partition for every partition count.
TEST(PartitionForKeyTest, AgreesWithLibrdkafkaMurmur2Partitioner) {
  for (int i = 0; i < 2000; ++i) {
    std::string key = "key-" + std::to_string(i * 7919) + std::string(static_cast<size_t>(i % 5), 'x');
    for (int32_t parts : {1, 2, 3, 4, 7, 12, 64, 1000}) {
      int32_t theirs =
          rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), parts, nullptr, nullptr);
      ASSERT_EQ(PartitionForKey(key, parts), theirs) << key << " partitions=" << parts;
    }
  }
}

}  // namespace
}  // namespace pinpipe::bus
