// Errors are values: Status carries one of a small closed set of codes plus a
// message; Result<T> is a T or a non-OK Status. Library code returns these and
// never throws; the CLI turns them into one line on stderr and an exit code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace pinpipe {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong; retrying will not help
  kNotFound,
  kAlreadyExists,
  kOutOfRange,         // e.g. a read below a partition's start offset
  kCorruption,         // stored bytes fail a checksum or do not parse
  kIOError,
  kUnavailable,        // retryable: a server or device is down for now
  kResourceExhausted,  // backpressure: try again later
  kCancelled,
  kInternal,           // a bug or an unexpected third-party failure
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kResourceExhausted;
  }

  // "CODE: message", or "OK".
  std::string ToString() const;
  // The same code with "context: " put before the message.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value of type T, or the non-OK Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    PINPIPE_CHECK_MSG(!std::get<Status>(v_).ok(), "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  // REQUIRES: ok().
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  T& Checked() {
    PINPIPE_CHECK_MSG(ok(), std::get<Status>(v_).ToString().c_str());
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace pinpipe

#define PINPIPE_CONCAT_INNER(a, b) a##b
#define PINPIPE_CONCAT(a, b) PINPIPE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define PINPIPE_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::pinpipe::Status pinpipe_status_ = (expr);       \
    if (!pinpipe_status_.ok()) return pinpipe_status_; \
  } while (0)

// `lhs = value of expr`, or returns its Status from the enclosing function.
#define PINPIPE_ASSIGN_OR_RETURN(lhs, expr) \
  PINPIPE_ASSIGN_OR_RETURN_IMPL(PINPIPE_CONCAT(pinpipe_result_, __LINE__), lhs, expr)
#define PINPIPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
