// The cleaned values of one record as views, before they are copied into a
// CleanRecord or written as JSON: Cleaner::Clean and Cleaner::CleanToJson
// share every rule through it. Internal to the pin module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

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
