#include "pin/packed_uuid.h"

namespace pinpipe::pin {
namespace {

int LowerHexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool PackUuid(std::string_view uuid, PackedUuid* out) {
  if (uuid.size() != 36) return false;
  size_t k = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (uuid[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = LowerHexDigit(uuid[i]), lo = LowerHexDigit(uuid[i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[k++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return k == 16;
}

}  // namespace pinpipe::pin
