// Sparse offset index encoding and lookup.
#include "bus/log/offset_index.h"

#include <algorithm>

#include "bus/log/coding.h"
#include "bus/log/record_format.h"

namespace pinpipe::bus::log {

void AppendIndexEntry(std::string* out, const IndexEntry& entry) {
  PutFixed32(out, entry.relative_offset);
  PutFixed32(out, entry.position);
  PutFixed64(out, static_cast<uint64_t>(entry.max_timestamp));
}

std::vector<IndexEntry> ParseIndex(std::string_view bytes, uint64_t segment_size) {
  std::vector<IndexEntry> entries;
  entries.reserve(bytes.size() / kIndexEntrySize);
  for (size_t pos = 0; pos + kIndexEntrySize <= bytes.size(); pos += kIndexEntrySize) {
    IndexEntry e;
    e.relative_offset = DecodeFixed32(bytes.data() + pos);
    e.position = DecodeFixed32(bytes.data() + pos + 4);
    e.max_timestamp = static_cast<UnixMicros>(DecodeFixed64(bytes.data() + pos + 8));
    if (e.position < kSegmentHeaderSize || e.position >= segment_size) break;
    if (!entries.empty() && (e.relative_offset <= entries.back().relative_offset ||
                             e.position <= entries.back().position)) {
      break;
    }
    entries.push_back(e);
  }
  return entries;
}

std::optional<IndexEntry> FindIndexEntry(std::span<const IndexEntry> entries, uint32_t relative_offset) {
  auto it = std::upper_bound(entries.begin(), entries.end(), relative_offset,
                             [](uint32_t rel, const IndexEntry& e) { return rel < e.relative_offset; });
  if (it == entries.begin()) return std::nullopt;
  return *(it - 1);
}

}  // namespace pinpipe::bus::log
