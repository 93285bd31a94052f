// CleanViewer (the rules) and Cleaner (its public face): simdjson DOM parse
// (validates the whole document and its UTF-8), one pass over the object's
// members to find the known fields, a type check of every known field, then
// the per-field rules into a CleanView. Nothing is written to the output
// unless the record is accepted.
#include <simdjson.h>

#include <array>

#include "pin/clean_view.h"
#include "pin/field_rules.h"
#include "pin/pin.h"
#include "pin/unicode_text.h"

namespace pinpipe::pin {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Known raw fields, in the order their type errors are reported.
enum Field : int {
  kUniqueId, kIndex, kTitle, kDescription, kPosterName, kFollowerCount, kTagList,
  kIsImageOrVideo, kImageSrc, kDownloaded, kSaveLocation, kCategory, kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "unique_id", "index", "title", "description", "poster_name", "follower_count", "tag_list",
    "is_image_or_video", "image_src", "downloaded", "save_location", "category"};

// One known field as found in the record; type NULL_VALUE when absent or
// null (then `value` must not be read: a default element has no document).
struct Slot {
  element value;
  element_type type = element_type::NULL_VALUE;
};
using Slots = std::array<Slot, kFieldCount>;

// Accepted JSON types per field ("accepts" column of spec/cleaning.md).
enum Accept : uint8_t { kStr = 1, kNum = 2, kBool = 4, kArr = 8 };
constexpr std::array<uint8_t, kFieldCount> kAccepts = {
    kStr, kNum | kStr, kStr, kStr, kStr, kNum | kStr, kStr | kArr,
    kStr, kStr, kNum | kStr | kBool, kStr, kStr};

int FieldOf(std::string_view key) {
  // Dispatch on length first: most keys are rejected or found in one compare.
  switch (key.size()) {
    case 5: return key == "index" ? kIndex : key == "title" ? kTitle : -1;
    case 8: return key == "tag_list" ? kTagList : key == "category" ? kCategory : -1;
    case 9: return key == "unique_id" ? kUniqueId : key == "image_src" ? kImageSrc : -1;
    case 10: return key == "downloaded" ? kDownloaded : -1;
    case 11: return key == "description" ? kDescription : key == "poster_name" ? kPosterName : -1;
    case 13: return key == "save_location" ? kSaveLocation : -1;
    case 14: return key == "follower_count" ? kFollowerCount : -1;
    case 17: return key == "is_image_or_video" ? kIsImageOrVideo : -1;
    default: return -1;
  }
}

std::string_view TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64: case element_type::UINT64: case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "unknown";
}

uint8_t AcceptOf(element_type t) {
  switch (t) {
    case element_type::INT64: case element_type::UINT64: case element_type::DOUBLE: return kNum;
    case element_type::STRING: return kStr;
    case element_type::BOOL: return kBool;
    case element_type::ARRAY: return kArr;
    default: return 0;
  }
}

std::string Expected(uint8_t accepts) {
  std::string out = "expected ";
  bool first = true;
  for (auto [bit, name] : {std::pair{kNum, "number"}, {kStr, "string"}, {kBool, "boolean"},
                           {kArr, "array of strings"}}) {
    if (!(accepts & bit)) continue;
    if (!first) out += " or ";
    out += name;
    first = false;
  }
  return out;
}

std::string_view InvalidJsonDetail(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return "not valid UTF-8";
    case simdjson::EMPTY: return "empty document";
    case simdjson::DEPTH_ERROR: return "nested too deeply";
    case simdjson::STRING_ERROR: case simdjson::UNCLOSED_STRING: case simdjson::UNESCAPED_CHARS:
      return "malformed string";
    case simdjson::NUMBER_ERROR: return "malformed number";
    case simdjson::CAPACITY: case simdjson::MEMALLOC: return "document too large";
    default: return "not parseable JSON";
  }
}

bool Reject(Rejection* r, RejectReason reason, std::string_view field, std::string_view detail) {
  r->reason = reason;
  r->field.assign(field);
  r->detail.assign(detail);
  return false;
}

// Strings of fields that became null, kept for the next field that stops
// being null: callers reuse one record for many (batch reuses thousands),
// and fields switching between null and text cost a free and a malloc each.
class SpareStrings {
 public:
  void Put(std::string s) {
    if (spare_.size() < kMax) spare_.push_back(std::move(s));
  }
  std::string Take() {
    if (spare_.empty()) return {};
    std::string s = std::move(spare_.back());
    spare_.pop_back();
    return s;
  }

 private:
  static constexpr size_t kMax = 64;
  std::vector<std::string> spare_;
};

void SetText(std::optional<std::string>* f, std::string_view v, SpareStrings* spare) {
  if (v.empty()) {
    if (f->has_value()) {
      spare->Put(std::move(**f));
      f->reset();
    }
  } else if (f->has_value()) {
    (*f)->assign(v);
  } else {
    f->emplace(spare->Take()).assign(v);
  }
}

// A JSON integer >= 0 that fits int64; else nullopt.
std::optional<int64_t> NonNegativeInt(const Slot& s) {
  int64_t v;
  if (s.type == element_type::INT64 && !s.value.get_int64().get(v) && v >= 0) return v;
  return {};
}

// The string value of a present string field; an empty view otherwise.
std::string_view Text(const Slot& s) {
  std::string_view v;
  if (s.type != element_type::STRING || s.value.get_string().get(v)) return {};
  return v;
}

std::string_view Text(const element& e) {
  std::string_view v;
  if (e.type() != element_type::STRING || e.get_string().get(v)) return {};
  return v;
}

// Checks every present known field's JSON type; absent fields and nulls
// were left as null elements.
bool CheckTypes(const Slots& slots, Rejection* rejection) {
  for (int f = 0; f < kFieldCount; ++f) {
    element_type t = slots[f].type;
    if (t == element_type::NULL_VALUE) continue;
    if (!(AcceptOf(t) & kAccepts[f])) {
      std::string detail = Expected(kAccepts[f]);
      detail += ", got ";
      detail += TypeName(t);
      return Reject(rejection, RejectReason::kBadType, kFieldNames[f], detail);
    }
    if (t == element_type::ARRAY) {
      simdjson::dom::array items;
      if (slots[f].value.get_array().get(items)) continue;  // cannot fail: type is ARRAY
      for (element item : items) {
        element_type it = item.type();
        if (it == element_type::STRING || it == element_type::NULL_VALUE) continue;
        std::string detail = "expected array of strings, got an array holding ";
        detail += TypeName(it);
        return Reject(rejection, RejectReason::kBadType, kFieldNames[f], detail);
      }
    }
  }
  return true;
}

std::optional<int64_t> CleanIndex(const Slot& e) {
  if (e.type == element_type::STRING) return ParseDigits(TrimSpace(Text(e)));
  return NonNegativeInt(e);
}

std::optional<int64_t> CleanFollowerCount(const Slot& e) {
  if (e.type == element_type::STRING) return ParseFollowerCountText(TrimSpace(Text(e)));
  return NonNegativeInt(e);
}

std::optional<bool> CleanDownloaded(const Slot& e) {
  switch (e.type) {
    case element_type::BOOL: {
      bool b = false;
      if (e.value.get_bool().get(b)) return {};
      return b;
    }
    case element_type::INT64: {
      int64_t v = -1;
      if (e.value.get_int64().get(v)) return {};
      if (v == 0 || v == 1) return v == 1;
      return {};
    }
    case element_type::STRING: {
      std::string_view s = TrimSpace(Text(e));
      if (s == "0" || s == "1") return s == "1";
      return {};
    }
    default:
      return {};
  }
}

// Splits and trims tags into *tags (views into the record).
void CleanTags(const Slot& e, std::vector<std::string_view>* tags) {
  tags->clear();
  auto add = [tags](std::string_view tag) {
    tag = TrimSpace(tag);
    if (!tag.empty()) tags->push_back(tag);
  };
  if (e.type == element_type::STRING) {
    std::string_view s = TrimSpace(Text(e));
    if (s == "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e") return;
    while (true) {
      size_t comma = s.find(',');  // memchr
      add(s.substr(0, comma));
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
  } else if (e.type == element_type::ARRAY) {
    simdjson::dom::array items;
    if (!e.value.get_array().get(items)) {
      for (element item : items) add(Text(item));
    }
  }
}

std::string_view CleanImageSrc(std::string_view s) {
  s = TrimSpace(s);
  if (s.starts_with("http://") || s.starts_with("https://")) return s;
  return {};  // also covers the "Image src error." placeholder
}

}  // namespace

struct CleanViewer::State {
  simdjson::dom::parser parser;
  Slots slots;
  char unique_id[36];
  std::string category;
  std::vector<std::string_view> tags;
};

CleanViewer::CleanViewer() : state_(std::make_unique<State>()) {}
CleanViewer::~CleanViewer() = default;

struct Cleaner::Impl {
  CleanViewer viewer;
  SpareStrings spare;
};

Cleaner::Cleaner() : impl_(std::make_unique<Impl>()) {}
Cleaner::~Cleaner() = default;

// Parses `raw` and fills `slots` with its known fields, or rejects it.
bool CleanViewer::FindFields(std::string_view raw, Rejection* rejection) {
  Slots& slots = state_->slots;
  element root;
  simdjson::error_code error = state_->parser.parse(raw.data(), raw.size()).get(root);
  if (error) return Reject(rejection, RejectReason::kInvalidJson, "", InvalidJsonDetail(error));
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    std::string detail = "top level is ";
    detail += TypeName(root.type());
    detail += ", expected an object";
    return Reject(rejection, RejectReason::kNotObject, "", detail);
  }
  // Absent and null fields both stay NULL_VALUE slots.
  slots.fill(Slot());
  for (simdjson::dom::key_value_pair member : object) {
    int f = FieldOf(member.key);
    if (f >= 0) slots[f] = {member.value, member.value.type()};  // a repeated key: the last wins
  }
  return true;
}

bool CleanViewer::View(std::string_view raw, CleanView* out, Rejection* rejection) {
  if (!FindFields(raw, rejection)) return false;
  const Slots& slots = state_->slots;
  char (&unique_id)[36] = state_->unique_id;
  std::string& category = state_->category;
  std::vector<std::string_view>& tags = state_->tags;
  const Slot& uid = slots[kUniqueId];
  if (uid.type == element_type::NULL_VALUE) {
    return Reject(rejection, RejectReason::kMissingUniqueId, "unique_id", "unique_id is absent or null");
  }
  if (!CheckTypes(slots, rejection)) return false;
  std::string_view id = TrimSpace(Text(uid));
  if (id.empty()) {
    return Reject(rejection, RejectReason::kMissingUniqueId, "unique_id", "unique_id is empty");
  }
  if (!IsUuid(id)) {
    return Reject(rejection, RejectReason::kInvalidUniqueId, "unique_id",
                  "unique_id is not a UUID (8-4-4-4-12 hex digits)");
  }
  // Hex digits and '-' lower-case by setting bit 5 (digits and '-' have it).
  for (size_t i = 0; i < sizeof(unique_id); ++i) unique_id[i] = static_cast<char>(id[i] | 0x20);
  out->unique_id = std::string_view(unique_id, sizeof(unique_id));
  out->ind = CleanIndex(slots[kIndex]);
  out->follower_count = CleanFollowerCount(slots[kFollowerCount]);
  CleanTags(slots[kTagList], &tags);
  out->tag_list = tags;
  switch (ParseMediaKind(TrimSpace(Text(slots[kIsImageOrVideo])))) {
    case MediaKind::kImage: out->is_video = false; out->media_type = "image"; break;
    case MediaKind::kVideo: out->is_video = true; out->media_type = "video"; break;
    case MediaKind::kStory: out->is_video = true; out->media_type = "story"; break;
    case MediaKind::kUnknown: out->is_video.reset(); out->media_type = {}; break;
  }
  out->downloaded = CleanDownloaded(slots[kDownloaded]);
  std::string_view title = TrimSpace(Text(slots[kTitle]));
  out->title = title == "No Title Data Available" ? std::string_view() : title;
  std::string_view description = TrimSpace(Text(slots[kDescription]));
  out->description = description.starts_with("No description available") ? std::string_view() : description;
  std::string_view poster = TrimSpace(Text(slots[kPosterName]));
  out->poster_name = poster == "User Info Error" ? std::string_view() : poster;
  out->image_src = CleanImageSrc(Text(slots[kImageSrc]));
  out->save_location = StripSavePrefix(TrimSpace(Text(slots[kSaveLocation])));
  AssignLowerAscii(TrimSpace(Text(slots[kCategory])), &category);
  out->category = category;
  return true;
}

bool Cleaner::Clean(std::string_view raw, CleanRecord* out, Rejection* rejection) {
  CleanView v;
  if (!impl_->viewer.View(raw, &v, rejection)) return false;
  out->unique_id.assign(v.unique_id);
  out->ind = v.ind;
  SetText(&out->title, v.title, &impl_->spare);
  SetText(&out->description, v.description, &impl_->spare);
  SetText(&out->poster_name, v.poster_name, &impl_->spare);
  out->follower_count = v.follower_count;
  // Reuses the vector's strings so a steady stream of records does not allocate.
  size_t n = v.tag_list.size();
  while (out->tag_list.size() > n) {
    impl_->spare.Put(std::move(out->tag_list.back()));
    out->tag_list.pop_back();
  }
  for (size_t i = 0; i < n; ++i) {
    if (i < out->tag_list.size()) {
      out->tag_list[i].assign(v.tag_list[i]);
    } else {
      out->tag_list.push_back(impl_->spare.Take());
      out->tag_list.back().assign(v.tag_list[i]);
    }
  }
  out->is_video = v.is_video;
  SetText(&out->media_type, v.media_type, &impl_->spare);
  SetText(&out->image_src, v.image_src, &impl_->spare);
  out->downloaded = v.downloaded;
  SetText(&out->save_location, v.save_location, &impl_->spare);
  SetText(&out->category, v.category, &impl_->spare);
  out->ingested_at.reset();
  return true;
}

bool Cleaner::CleanToJson(std::string_view raw, std::string* out, Rejection* rejection) {
  CleanView v;
  if (!impl_->viewer.View(raw, &v, rejection)) return false;
  AppendCleanViewJson(v, out);
  return true;
}

}  // namespace pinpipe::pin
