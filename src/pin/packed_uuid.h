// A clean unique_id (a lower-case 8-4-4-4-12 UUID) as 16 raw bytes: the
// compact key that dedupe sets and maps hold a million of at a time.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pinpipe::pin {

using PackedUuid = std::array<uint8_t, 16>;

// False (and *out unspecified) if `uuid` is not a lower-case UUID.
bool PackUuid(std::string_view uuid, PackedUuid* out);

// For hash containers, flat ones included. Both halves are folded and
// multiplied so hand-made or sequential ids (which differ only in their
// last bytes) spread as well as random ones.
struct PackedUuidHash {
  size_t operator()(const PackedUuid& id) const noexcept {
    uint64_t lo, hi;
    std::memcpy(&lo, id.data(), sizeof lo);
    std::memcpy(&hi, id.data() + 8, sizeof hi);
    uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

}  // namespace pinpipe::pin
