// The domain core: one raw pin record (JSON bytes) in, a CleanRecord or a
// Rejection out, exactly as spec/cleaning.md says. The API's door check, the
// batch job and the stream job all call this one Cleaner; nothing else cleans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pinpipe::pin {

enum class RejectReason : uint8_t {
  kInvalidJson = 0,  // not parseable JSON, or invalid UTF-8
  kNotObject,        // top level is not an object
  kMissingUniqueId,  // absent, null or empty after trimming
  kInvalidUniqueId,  // not 8-4-4-4-12 hex digits
  kBadType,          // a known field holds a JSON type it does not accept
};
inline constexpr int kRejectReasonCount = 5;

// "invalid_json", "not_object", "missing_unique_id", "invalid_unique_id", "bad_type".
std::string_view RejectReasonName(RejectReason reason);

struct Rejection {
  RejectReason reason = RejectReason::kInvalidJson;
  std::string field;   // the offending raw field name; empty when none applies
  std::string detail;  // one human sentence, e.g. "expected string, got object"
};

// The clean schema, fields in spec order. Strings are valid UTF-8.
struct CleanRecord {
  std::string unique_id;  // trimmed, lower-case UUID
  std::optional<int64_t> ind;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> poster_name;
  std::optional<int64_t> follower_count;
  std::vector<std::string> tag_list;
  std::optional<bool> is_video;
  std::optional<std::string> media_type;
  std::optional<std::string> image_src;
  std::optional<bool> downloaded;
  std::optional<std::string> save_location;
  std::optional<std::string> category;
  std::optional<int64_t> ingested_at;  // microseconds since epoch (UTC), from the envelope

  friend bool operator==(const CleanRecord&, const CleanRecord&) = default;
};

// Cleans raw records. Owned by one thread at a time (it holds a JSON parser
// and scratch buffers); make one per thread and reuse it across records.
class Cleaner {
 public:
  Cleaner();
  ~Cleaner();
  Cleaner(const Cleaner&) = delete;
  Cleaner& operator=(const Cleaner&) = delete;

  // Cleans one raw record. Returns true and overwrites *out (every field,
  // ingested_at left nullopt), or returns false and overwrites *rejection.
  // Never throws, never crashes, deterministic.
  bool Clean(std::string_view raw, CleanRecord* out, Rejection* rejection);

  // Cleans one raw record and appends its clean JSON object (exactly what
  // Clean + AppendCleanJson give: ingested_at null, no newline) to *out,
  // without building a CleanRecord; the fast path for NDJSON output. On a
  // reject returns false, leaves *out unchanged and overwrites *rejection.
  bool CleanToJson(std::string_view raw, std::string* out, Rejection* rejection);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Longest prefix of a raw record kept in a reject ("raw" field, dead letters).
inline constexpr size_t kRejectRawLimit = 4096;

// Appends one JSON object (no newline) with every clean field in spec order,
// null where unknown; ingested_at as RFC 3339 with microseconds.
void AppendCleanJson(const CleanRecord& record, std::string* out);
// The same, with record.tag_list taken as already written by
// AppendTagListJson (`tag_list_json`; empty: from record.tag_list).
void AppendCleanJson(const CleanRecord& record, std::string_view tag_list_json, std::string* out);
// The tag_list value of that JSON alone (a JSON array of strings), as the
// warehouses store it.
void AppendTagListJson(const std::vector<std::string>& tags, std::string* out);

// Appends `{"line":N,"reason":…,"field":…,"detail":…,"raw":…}` (no newline);
// field is null when empty; raw is cut at kRejectRawLimit bytes (on a UTF-8
// boundary).
void AppendRejectJson(int64_t line, const Rejection& rejection, std::string_view raw,
                      std::string* out);

// Appends `s` as a JSON string literal with quotes. Always valid UTF-8 JSON:
// control characters are escaped and invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string_view TruncateUtf8(std::string_view s, size_t max_bytes);

}  // namespace pinpipe::pin
