// PartitionForKey: the Java Kafka client's default partitioner (murmur2 of the
// key bytes, sign bit cleared, modulo the partition count), so a key lands in
// the same partition on the embedded log and on Kafka.
#include <cstring>

#include "bus/bus.h"
#include "core/check.h"

namespace pinpipe::bus {
namespace {

// Murmur2, 32-bit, with the seed and little-endian word order Kafka's
// org.apache.kafka.common.utils.Utils.murmur2 uses. Arithmetic is on
// uint32_t so overflow wraps exactly like Java's int.
uint32_t Murmur2(std::string_view data) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t words = length / 4;
  for (size_t i = 0; i < words; ++i) {
    const unsigned char* p = bytes + i * 4;
    uint32_t k = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const unsigned char* tail = bytes + (length & ~size_t{3});
  switch (length % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

}  // namespace

// An empty key means "unknown" (bus.h): partition 0 on every backend, rather
// than the hash of zero bytes, so both backends agree on it.
PartitionId PartitionForKey(std::string_view key, int32_t partitions) {
  PINPIPE_CHECK(partitions > 0);
  if (key.empty()) return 0;
  uint32_t positive = Murmur2(key) & 0x7fffffffu;  // Kafka's Utils.toPositive
  return static_cast<PartitionId>(positive % static_cast<uint32_t>(partitions));
}

}  // namespace pinpipe::bus
