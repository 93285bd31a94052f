// Turns a request body into bus messages: the door check with pin::Cleaner
// (a record the cleaner would reject never reaches the bus), keys from the
// cleaned unique_id, and the response bodies for accepted and rejected input.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "ingest/batch_body.h"
#include "ingest/request_policy.h"
#include "pin/pin.h"

namespace pinpipe::ingest {

// What to do with one request body.
struct Intake {
  // Non-zero: answer now with this status and `body` (nothing to append).
  int status = 0;
  std::string body;
  // Otherwise: append these; views point into the request body and into the
  // PinIntake, valid until its next Prepare call.
  std::span<const bus::Message> messages;
  // /pins only: how many lines were refused, and their JSON objects joined by ','.
  size_t rejected = 0;
  std::string rejects_json;
};

// Owned by one thread (it holds a Cleaner); one per io thread.
class PinIntake {
 public:
  // One record (POST /pin). The value appended is `body` without
  // surrounding JSON whitespace.
  void PreparePin(std::string_view body, UnixMicros now, Intake* out);
  // A batch (POST /pins): valid records are appended, the others listed.
  void PreparePins(std::string_view body, BodyType type, size_t max_records, UnixMicros now, Intake* out);

  // Bodies of the 202 answers once the bus confirmed the messages; they
  // overwrite *out, reusing its capacity.
  static void PinAccepted(const bus::Position& position, std::string* out);
  static void PinsAccepted(size_t accepted, const Intake& intake, std::string* out);

  // Called once per rejected record (metrics hook); may be empty.
  std::function<void(pin::RejectReason)> on_reject;

 private:
  pin::Cleaner cleaner_;
  pin::CleanRecord clean_;
  pin::Rejection rejection_;
  std::vector<BatchItem> items_;
  std::vector<std::string> keys_;  // capacity reused across requests
  std::vector<bus::Message> messages_;
};

}  // namespace pinpipe::ingest
