// A clean unique_id (a lower-case 8-4-4-4-12 UUID) as 16 raw bytes: the
// compact key that dedupe sets and maps hold a million of at a time.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

namespace pinpipe::pin {

using PackedUuid = std::array<uint8_t, 16>;

// False (and *out unspecified) if `uuid` is not a lower-case UUID.
bool PackUuid(std::string_view uuid, PackedUuid* out);

// For unordered containers: the bytes of a random UUID are already well
// mixed, so eight of them are the hash.
struct PackedUuidHash {
  size_t operator()(const PackedUuid& id) const noexcept {
    uint64_t h;
    std::memcpy(&h, id.data() + 8, sizeof h);
    return static_cast<size_t>(h);
  }
};

}  // namespace pinpipe::pin
