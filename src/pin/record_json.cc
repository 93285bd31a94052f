// The NDJSON forms of a clean record and of a reject (spec/cleaning.md,
// "Outputs of pinpipe clean"). Field order is the spec's; every field is
// written, null where unknown.
#include <algorithm>
#include <charconv>
#include <type_traits>

#include "core/clock.h"
#include "pin/clean_view.h"
#include "pin/json_out.h"
#include "pin/pin.h"

namespace pinpipe::pin {
namespace {

template <typename Out>
void PutInt(int64_t v, Out& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.Put(std::string_view(buf, static_cast<size_t>(end - buf)));
}

// A RawOut that notes where each text value's token went (CleanJsonLayout).
class LayoutOut : public RawOut {
 public:
  LayoutOut(char* p, CleanJsonLayout* layout) : RawOut(p), start_(p), layout_(layout) {}
  void Begin(CleanText t) { layout_->tokens[t].first = static_cast<uint32_t>(end() - start_); }
  void End(CleanText t) { layout_->tokens[t].second = static_cast<uint32_t>(end() - start_); }

 private:
  const char* start_;
  CleanJsonLayout* layout_;
};

// Marks the token of text value `t`, when `out` keeps a layout.
template <typename Out>
void Begin(Out& out, CleanText t) {
  if constexpr (std::is_same_v<Out, LayoutOut>) out.Begin(t);
}
template <typename Out>
void End(Out& out, CleanText t) {
  if constexpr (std::is_same_v<Out, LayoutOut>) out.End(t);
}

// A text value (a CleanRecord's optional or a CleanView's view, where empty
// means null) as a JSON string or null.
template <typename Out>
void PutText(const std::optional<std::string>& v, Out& out) {
  if (v) {
    WriteJsonString(*v, out);
  } else {
    out.Put("null");
  }
}
template <typename Out>
void PutText(std::string_view v, Out& out) {
  if (!v.empty()) {
    WriteJsonString(v, out);
  } else {
    out.Put("null");
  }
}

// Each writer puts `prefix` (the comma and key, one literal) and a value.
template <typename Text, typename Out>
void PutValue(std::string_view prefix, CleanText t, const Text& v, Out& out) {
  out.Put(prefix);
  Begin(out, t);
  PutText(v, out);
  End(out, t);
}

template <typename Out>
void PutValue(std::string_view prefix, const std::optional<int64_t>& v, Out& out) {
  out.Put(prefix);
  if (v) {
    PutInt(*v, out);
  } else {
    out.Put("null");
  }
}

template <typename Out>
void PutValue(std::string_view prefix, const std::optional<bool>& v, Out& out) {
  out.Put(prefix);
  out.Put(!v ? "null" : (*v ? "true" : "false"));
}

// A tag_list already written by AppendTagListJson, put as it is.
struct TagListJson {
  std::string_view json;
};

template <typename Out>
void PutTagList(TagListJson tags, Out& out) {
  out.Put(tags.json);
}

template <typename Tags, typename Out>
void PutTagList(const Tags& tags, Out& out) {
  out.Put('[');
  for (size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out.Put(',');
    WriteJsonString(tags[i], out);
  }
  out.Put(']');
}

// Every field but ingested_at, for CleanRecord and CleanView alike. Keys are
// fixed ASCII identifiers: written as literals, no escaping.
template <typename R, typename Tags, typename Out>
void PutCleanFields(const R& r, const Tags& tags, Out& out) {
  out.Put("{\"unique_id\":");
  Begin(out, kUniqueIdText);
  WriteJsonString(r.unique_id, out);
  End(out, kUniqueIdText);
  PutValue(",\"ind\":", r.ind, out);
  PutValue(",\"title\":", kTitleText, r.title, out);
  PutValue(",\"description\":", kDescriptionText, r.description, out);
  PutValue(",\"poster_name\":", kPosterNameText, r.poster_name, out);
  PutValue(",\"follower_count\":", r.follower_count, out);
  out.Put(",\"tag_list\":");
  Begin(out, kTagListText);
  PutTagList(tags, out);
  End(out, kTagListText);
  PutValue(",\"is_video\":", r.is_video, out);
  PutValue(",\"media_type\":", kMediaTypeText, r.media_type, out);
  PutValue(",\"image_src\":", kImageSrcText, r.image_src, out);
  PutValue(",\"downloaded\":", r.downloaded, out);
  PutValue(",\"save_location\":", kSaveLocationText, r.save_location, out);
  PutValue(",\"category\":", kCategoryText, r.category, out);
}

constexpr std::string_view kNullIngestedAt = ",\"ingested_at\":null}";

void AppendInt(int64_t v, std::string* out) {
  StringOut sink(out);
  PutInt(v, sink);
}

// Worst-case sizes for RawOut writers (JsonStringBound per text).
size_t TextBound(std::string_view s) { return JsonStringBound(s.size()); }
size_t TextBound(const std::optional<std::string>& s) { return s ? JsonStringBound(s->size()) : 0; }

template <typename Tags>
size_t TagListBound(const Tags& tags) {
  size_t bound = 2;  // the brackets
  for (const auto& tag : tags) bound += JsonStringBound(std::string_view(tag).size()) + 1;
  return bound;
}

// PutCleanFields' output without its tag_list, plus an ingested_at member:
// keys, punctuation, numbers, literals and a timestamp stay well under 512
// bytes.
template <typename R>
size_t CleanFieldsBound(const R& r) {
  return 512 + JsonStringBound(r.unique_id.size()) + TextBound(r.title) + TextBound(r.description) + TextBound(r.poster_name) +
         TextBound(r.media_type) + TextBound(r.image_src) + TextBound(r.save_location) + TextBound(r.category);
}

// This thread's buffer for a RawOut writer, at least `bound` bytes. Text is
// written there and appended to its string in one piece: std::string's
// per-append checks cost more than the copy (every row a batch loads is
// written this way).
char* ThisThreadsScratch(size_t bound) {
  thread_local std::string scratch;
  if (scratch.size() < bound) scratch.resize(std::max(bound, 2 * scratch.size()));
  return scratch.data();
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

void AppendCleanJson(const CleanRecord& r, std::string* out) { AppendCleanJson(r, std::string_view(), out); }

void AppendCleanJson(const CleanRecord& r, std::string_view tag_list_json, std::string* out) {
  size_t bound = CleanFieldsBound(r) + (tag_list_json.empty() ? TagListBound(r.tag_list) : tag_list_json.size());
  char* begin = ThisThreadsScratch(bound);
  RawOut sink(begin);
  if (tag_list_json.empty()) {
    PutCleanFields(r, r.tag_list, sink);
  } else {
    PutCleanFields(r, TagListJson{tag_list_json}, sink);
  }
  if (r.ingested_at) {
    thread_local std::string text;
    text.clear();
    AppendRfc3339Micros(*r.ingested_at, &text);
    sink.Put(",\"ingested_at\":\"");
    sink.Put(text);
    sink.Put("\"}");
  } else {
    sink.Put(kNullIngestedAt);
  }
  out->append(begin, static_cast<size_t>(sink.end() - begin));
}

void AppendTagListJson(const std::vector<std::string>& tags, std::string* out) {
  char* begin = ThisThreadsScratch(TagListBound(tags));
  RawOut sink(begin);
  PutTagList(tags, sink);
  out->append(begin, static_cast<size_t>(sink.end() - begin));
}

void AppendCleanViewJson(const CleanView& v, std::string* out) {
  StringOut sink(out);
  PutCleanFields(v, v.tag_list, sink);
  out->append(kNullIngestedAt);
}

void AppendCleanViewJson(const CleanView& v, std::string_view ingested_at, std::string* out,
                         CleanJsonLayout* layout) {
  char* begin = ThisThreadsScratch(CleanFieldsBound(v) + TagListBound(v.tag_list) + ingested_at.size());
  LayoutOut sink(begin, layout);
  PutCleanFields(v, v.tag_list, sink);
  sink.Put(",\"ingested_at\":\"");
  sink.Put(ingested_at);
  sink.Put("\"}");
  out->append(begin, static_cast<size_t>(sink.end() - begin));
}

size_t CleanViewJsonBound(const CleanView& v) { return CleanFieldsBound(v) + TagListBound(v.tag_list); }

char* WriteCleanViewJson(const CleanView& v, char* dst) {
  RawOut sink(dst);
  PutCleanFields(v, v.tag_list, sink);
  sink.Put(kNullIngestedAt);
  return sink.end();
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
