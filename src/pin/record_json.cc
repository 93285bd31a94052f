// The NDJSON forms of a clean record and of a reject (spec/cleaning.md,
// "Outputs of pinpipe clean"). Field order is the spec's; every field is
// written, null where unknown.
#include <charconv>

#include "core/clock.h"
#include "pin/clean_view.h"
#include "pin/pin.h"

namespace pinpipe::pin {
namespace {

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

// Each writer appends `prefix` (the comma and key, one literal) and a value.
void AppendValue(std::string_view prefix, const std::optional<std::string>& v, std::string* out) {
  out->append(prefix);
  if (v) {
    AppendJsonString(*v, out);
  } else {
    out->append("null");
  }
}

// A CleanView string: empty means null.
void AppendValue(std::string_view prefix, std::string_view v, std::string* out) {
  out->append(prefix);
  if (!v.empty()) {
    AppendJsonString(v, out);
  } else {
    out->append("null");
  }
}

void AppendValue(std::string_view prefix, const std::optional<int64_t>& v, std::string* out) {
  out->append(prefix);
  if (v) {
    AppendInt(*v, out);
  } else {
    out->append("null");
  }
}

void AppendValue(std::string_view prefix, const std::optional<bool>& v, std::string* out) {
  out->append(prefix);
  out->append(!v ? "null" : (*v ? "true" : "false"));
}

// Every field but ingested_at, for CleanRecord and CleanView alike. Keys are
// fixed ASCII identifiers: written as literals, no escaping.
template <typename R>
void AppendCleanFields(const R& r, std::string* out) {
  out->append("{\"unique_id\":");
  AppendJsonString(r.unique_id, out);
  AppendValue(",\"ind\":", r.ind, out);
  AppendValue(",\"title\":", r.title, out);
  AppendValue(",\"description\":", r.description, out);
  AppendValue(",\"poster_name\":", r.poster_name, out);
  AppendValue(",\"follower_count\":", r.follower_count, out);
  out->append(",\"tag_list\":[");
  for (size_t i = 0; i < r.tag_list.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(r.tag_list[i], out);
  }
  out->push_back(']');
  AppendValue(",\"is_video\":", r.is_video, out);
  AppendValue(",\"media_type\":", r.media_type, out);
  AppendValue(",\"image_src\":", r.image_src, out);
  AppendValue(",\"downloaded\":", r.downloaded, out);
  AppendValue(",\"save_location\":", r.save_location, out);
  AppendValue(",\"category\":", r.category, out);
}

}  // namespace

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalidJson: return "invalid_json";
    case RejectReason::kNotObject: return "not_object";
    case RejectReason::kMissingUniqueId: return "missing_unique_id";
    case RejectReason::kInvalidUniqueId: return "invalid_unique_id";
    case RejectReason::kBadType: return "bad_type";
  }
  return "unknown";
}

void AppendCleanJson(const CleanRecord& r, std::string* out) {
  AppendCleanFields(r, out);
  out->append(",\"ingested_at\":");
  if (r.ingested_at) {
    out->push_back('"');
    out->append(FormatRfc3339Micros(*r.ingested_at));
    out->push_back('"');
  } else {
    out->append("null");
  }
  out->push_back('}');
}

void AppendCleanViewJson(const CleanView& v, std::string* out) {
  AppendCleanFields(v, out);
  out->append(",\"ingested_at\":null}");
}

void AppendRejectJson(int64_t line, const Rejection& rejection, std::string_view raw,
                      std::string* out) {
  out->append("{\"line\":");
  AppendInt(line, out);
  out->append(",\"reason\":\"");
  out->append(RejectReasonName(rejection.reason));
  out->append("\",\"field\":");
  if (rejection.field.empty()) {
    out->append("null");
  } else {
    AppendJsonString(rejection.field, out);
  }
  out->append(",\"detail\":");
  AppendJsonString(rejection.detail, out);
  out->append(",\"raw\":");
  AppendJsonString(TruncateUtf8(raw, kRejectRawLimit), out);
  out->push_back('}');
}

}  // namespace pinpipe::pin
