// CRC-32C (Castagnoli), the checksum of every log record and metadata file.
// Chosen over zlib's CRC-32 because x86-64 computes it in hardware (SSE4.2)
// and Kafka's record batches use it too. No Debian library we link exposes
// CRC-32C (zlib has only CRC-32), so this is a small own implementation:
// SSE4.2 when the CPU has it, else a table-driven slicing-by-8 fallback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pinpipe::bus::log {

// The CRC-32C of `crc`'s data followed by data[0, n). Start with 0.
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

// The portable path alone, so tests can check both paths agree.
uint32_t Crc32cExtendPortable(uint32_t crc, const char* data, size_t n);

}  // namespace pinpipe::bus::log
