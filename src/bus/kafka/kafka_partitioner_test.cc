// bus::PartitionForKey must agree with librdkafka's murmur2 partitioner (the
// Java client's default), so records land where other Kafka clients put them.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

#include "bus/bus.h"

namespace pinpipe::bus {
namespace {

TEST(KafkaPartitionerTest, PartitionForKeyMatchesLibrdkafkaMurmur2) {
  char err[256];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, "pins", nullptr);
  for (int partitions : {1, 2, 3, 4, 7, 16, 64, 1024}) {
    for (int i = 0; i < 2000; ++i) {
      // UUID-shaped keys plus short and odd-length ones (murmur2's tail cases).
      std::string key =
          i % 3 == 0 ? std::to_string(i) : "5b6b3ad8-7d4e-4c7a-9a4c-" + std::to_string(1000000 + i * 7919);
      if (i % 5 == 0 && key.size() > 4) key.resize(key.size() - i % 4);
      int32_t theirs =
          rd_kafka_msg_partitioner_murmur2(rkt, key.data(), key.size(), partitions, nullptr, nullptr);
      ASSERT_EQ(PartitionForKey(key, partitions), theirs) << key << " over " << partitions;
    }
  }
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
}

}  // namespace
}  // namespace pinpipe::bus
