// Fuzzes the POST /pins body path: the NDJSON / JSON-array splitter and the
// door check that turns its items into bus messages and per-line rejects.
// First input byte: bit 0 = JSON content type (else NDJSON), bits 1-3 pick
// the record limit. Checks: items are views inside the body with rising
// numbers, NDJSON items hold no newline, every message is one of the items,
// and the rejects list is valid JSON.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/batch_body.h"
#include "ingest/pin_intake.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pinpipe::ingest;
  if (size == 0) return 0;
  bool json = (data[0] & 1) != 0;
  size_t max_items = 1 + ((data[0] >> 1) & 7) * 8;
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);

  BatchFormat format = SniffBatchFormat(body, json);
  std::vector<BatchItem> items;
  SplitResult split = SplitBatchBody(body, format, max_items, &items);
  Require(items.size() <= max_items);
  int64_t last = 0;
  for (const BatchItem& item : items) {
    Require(Inside(item.text, body));
    Require(item.line > last);
    last = item.line;
    Require(!item.text.empty());
    if (format == BatchFormat::kNdjson) Require(item.text.find('\n') == std::string_view::npos);
  }
  if (split.outcome == SplitOutcome::kBadFraming) Require(format == BatchFormat::kJsonArray && !split.detail.empty());

  static PinIntake* intake = new PinIntake();
  Intake out;
  intake->PreparePins(body, json ? BodyType::kJson : BodyType::kNdjson, max_items, 1, &out);
  for (const pinpipe::bus::Message& m : out.messages) {
    Require(Inside(m.value, body));
    Require(!m.key.empty());
  }
  if (out.status == 0) Require(!out.messages.empty());
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  std::string rejects = "[" + out.rejects_json + "]";
  simdjson::dom::element doc;
  Require(parser->parse(rejects).get(doc) == simdjson::SUCCESS);
  if (out.status != 0) Require(parser->parse(out.body).get(doc) == simdjson::SUCCESS);
  return 0;
}
