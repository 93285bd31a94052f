// Test instants written as RFC 3339 text ("2026-11-26T10:00:00Z"), so a test
// reads in wall-clock terms; a malformed literal fails the test loudly.
#pragma once

#include <string>

#include "core/clock.h"

namespace pinpipe::testing {

inline UnixMicros At(const std::string& rfc3339) { return ParseRfc3339Micros(rfc3339).value(); }

}  // namespace pinpipe::testing
