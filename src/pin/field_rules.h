// The value rules of spec/cleaning.md that act on text, as pure functions so
// each can be tested alone; Cleaner applies them to what simdjson parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pinpipe::pin {

// A non-empty run of ASCII digits that fits int64; else nullopt.
std::optional<int64_t> ParseDigits(std::string_view s);

// follower_count text, already trimmed: digits with optional `,` thousands
// separators ("1,234"), or a decimal number with a k/K, m/M or b/B suffix
// rounded half up ("1.2k" -> 1200). Else nullopt (negative, overflow,
// garbage such as "12kk").
std::optional<int64_t> ParseFollowerCountText(std::string_view s);

// 8-4-4-4-12 hex digits, any case.
bool IsUuid(std::string_view s);

// Appends `s` with ASCII letters lower-cased (other bytes unchanged).
void AssignLowerAscii(std::string_view s, std::string* out);

// is_image_or_video text (trimmed) -> media_type / is_video.
enum class MediaKind : uint8_t { kUnknown, kImage, kVideo, kStory };
MediaKind ParseMediaKind(std::string_view s);

// save_location rule: strips a leading "Local save in" followed by
// whitespace (or the whole value being exactly that), then trims.
std::string_view StripSavePrefix(std::string_view trimmed);

}  // namespace pinpipe::pin
