// Door validation for /pin and /pins.
#include "ingest/pin_intake.h"

#include <fmt/format.h>

#include <functional>

#include "ingest/batch_body.h"
#include "ingest/response.h"

namespace pinpipe::ingest {
void PinIntake::PreparePin(std::string_view body, UnixMicros now, Intake* out) {
  out->status = 0;
  out->rejected = 0;
  out->rejects_json.clear();
  std::string_view record = TrimJsonSpace(body);
  if (!cleaner_.Clean(record, &clean_, &rejection_)) {
    if (on_reject) on_reject(rejection_.reason);
    out->status = 400;
    out->body = RejectionBody(rejection_);
    return;
  }
  keys_.resize(1);
  keys_[0].assign(clean_.unique_id);
  messages_.resize(1);
  messages_[0] = bus::Message{keys_[0], record, now};
  out->messages = messages_;
}

void PinIntake::PreparePins(std::string_view body, BodyType type, size_t max_records, UnixMicros now,
                            Intake* out) {
  out->status = 0;
  out->rejected = 0;
  out->rejects_json.clear();
  out->messages = {};
  SplitResult split = SplitBatchBody(body, SniffBatchFormat(body, type == BodyType::kJson), max_records, &items_);
  if (split.outcome == SplitOutcome::kTooManyRecords) {
    out->status = 413;
    out->body = ErrorBody("too_many_records", fmt::format("a batch holds at most {} records", max_records));
    return;
  }
  if (split.outcome == SplitOutcome::kBadFraming) {
    out->status = 400;
    out->body = ErrorBody("invalid_json", split.detail);
    return;
  }
  if (items_.empty()) {
    out->status = 400;
    out->body = ErrorBody("empty_batch", "the body holds no records");
    return;
  }
  // Keys first (the vector may grow), message views after, so no view
  // points into a moved string.
  size_t accepted = 0;
  if (keys_.size() < items_.size()) keys_.resize(items_.size());
  for (BatchItem& item : items_) {
    if (cleaner_.Clean(item.text, &clean_, &rejection_)) {
      keys_[accepted].assign(clean_.unique_id);
      items_[accepted++].text = item.text;
      continue;
    }
    if (on_reject) on_reject(rejection_.reason);
    if (out->rejected++ > 0) out->rejects_json.push_back(',');
    AppendLineReject(item.line, rejection_, &out->rejects_json);
  }
  messages_.resize(accepted);
  for (size_t i = 0; i < accepted; ++i) messages_[i] = bus::Message{keys_[i], items_[i].text, now};
  out->messages = messages_;
  if (accepted == 0) {
    out->status = 400;
    out->body = fmt::format(R"({{"error":"no_valid_records","detail":"every record was rejected","accepted":0,)"
                            R"("rejected":{},"rejects":[{}]}})",
                            out->rejected, out->rejects_json);
  }
}

void PinIntake::PinAccepted(const bus::Position& position, std::string* out) {
  out->clear();
  fmt::format_to(std::back_inserter(*out), R"({{"partition":{},"offset":{}}})", position.partition, position.offset);
}

void PinIntake::PinsAccepted(size_t accepted, const Intake& intake, std::string* out) {
  out->clear();
  fmt::format_to(std::back_inserter(*out), R"({{"accepted":{},"rejected":{},"rejects":[{}]}})", accepted,
                 intake.rejected, intake.rejects_json);
}

}  // namespace pinpipe::ingest
