#include "pin/packed_uuid.h"

#include <array>

namespace pinpipe::pin {
namespace {

// Lower-case hex digit values, -1 for every other byte: a table, because
// random hex digits make a compare-and-branch version mispredict about
// every other character (PackUuid runs twice per record in `batch`).
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
  return t;
}();

// Where each byte's two digits start in 8-4-4-4-12.
constexpr size_t kDigitPairs[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

}  // namespace

bool PackUuid(std::string_view uuid, PackedUuid* out) {
  if (uuid.size() != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' || uuid[23] != '-') return false;
  int bad = 0;
  for (size_t k = 0; k < 16; ++k) {
    int hi = kHexValue[static_cast<uint8_t>(uuid[kDigitPairs[k]])];
    int lo = kHexValue[static_cast<uint8_t>(uuid[kDigitPairs[k] + 1])];
    bad |= hi | lo;  // negative once any digit was not one
    (*out)[k] = static_cast<uint8_t>((hi & 0xF) << 4 | (lo & 0xF));
  }
  return bad >= 0;
}

}  // namespace pinpipe::pin
