// PINPIPE_CHECK: always-on assertions for programming errors (never for input).
// A failed check prints where and why, then aborts.
#pragma once

namespace pinpipe::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const char* msg);
}  // namespace pinpipe::internal

#define PINPIPE_CHECK(cond) \
  ((cond) ? (void)0 : ::pinpipe::internal::CheckFailed(__FILE__, __LINE__, #cond, ""))
#define PINPIPE_CHECK_MSG(cond, msg) \
  ((cond) ? (void)0 : ::pinpipe::internal::CheckFailed(__FILE__, __LINE__, #cond, (msg)))
