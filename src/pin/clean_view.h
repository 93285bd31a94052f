// The cleaned values of one record as views, before they are copied into a
// CleanRecord or written as JSON: Cleaner::Clean, Cleaner::CleanToJson and
// `batch`'s readers (which keep no CleanRecord) share every rule through it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace pinpipe::pin {

// Views into the parser's memory and the Cleaner's scratch, valid until the
// Cleaner's next call. For every string field, empty means null (the rules
// turn empty values into null).
struct CleanView {
  std::string_view unique_id;
  std::optional<int64_t> ind;
  std::string_view title;
  std::string_view description;
  std::string_view poster_name;
  std::optional<int64_t> follower_count;
  std::span<const std::string_view> tag_list;
  std::optional<bool> is_video;
  std::string_view media_type;
  std::string_view image_src;
  std::optional<bool> downloaded;
  std::string_view save_location;
  std::string_view category;
};

// AppendCleanJson for a view (ingested_at null).
void AppendCleanViewJson(const CleanView& view, std::string* out);

// The text values of a clean JSON object, in the order they are written.
enum CleanText : uint8_t {
  kUniqueIdText,
  kTitleText,
  kDescriptionText,
  kPosterNameText,
  kTagListText,
  kMediaTypeText,
  kImageSrcText,
  kSaveLocationText,
  kCategoryText,
  kCleanTextCount
};

// Where each text value's JSON token (a string with its quotes, the
// tag_list array, or null) was written: [first, second) bytes from the
// object's first byte. A string's body is its value byte for byte when the
// token is the value's size + 2 (nothing escaped, nothing replaced), so a
// caller can keep the object's text and point into it instead of copying.
struct CleanJsonLayout {
  std::array<std::pair<uint32_t, uint32_t>, kCleanTextCount> tokens{};
};

// AppendCleanJson for a view whose ingested_at is `ingested_at` (as
// AppendRfc3339Micros writes it), noting where the text values went.
void AppendCleanViewJson(const CleanView& view, std::string_view ingested_at, std::string* out,
                         CleanJsonLayout* layout);

// The same bytes written at `dst`, which must hold CleanViewJsonBound(view)
// bytes; returns the end of what was written.
size_t CleanViewJsonBound(const CleanView& view);
char* WriteCleanViewJson(const CleanView& view, char* dst);

struct Rejection;

// The cleaning rules proper: raw record -> CleanView or Rejection. Cleaner
// wraps one; the NDJSON path uses one directly. Owned by one thread at a
// time (it holds a JSON parser and scratch buffers).
class CleanViewer {
 public:
  CleanViewer();
  ~CleanViewer();
  CleanViewer(const CleanViewer&) = delete;
  CleanViewer& operator=(const CleanViewer&) = delete;

  // True and fills *out (valid until the next call), or false and
  // overwrites *rejection.
  bool View(std::string_view raw, CleanView* out, Rejection* rejection);

 private:
  struct State;
  bool FindFields(std::string_view raw, Rejection* rejection);
  std::unique_ptr<State> state_;
};

}  // namespace pinpipe::pin
