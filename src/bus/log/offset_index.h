// The sparse offset index beside each segment: fixed 16-byte entries
// (relative offset u32, file position u32, max timestamp i64) about every
// index_interval_bytes of records. An index is a hint: readers check the
// record it points at, and the writer rebuilds an index that does not hold up.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"

namespace pinpipe::bus::log {

inline constexpr size_t kIndexEntrySize = 16;

struct IndexEntry {
  uint32_t relative_offset = 0;  // record offset - segment base offset
  uint32_t position = 0;         // byte position of that record in the segment file
  UnixMicros max_timestamp = 0;  // largest record timestamp in the segment up to that record
};

void AppendIndexEntry(std::string* out, const IndexEntry& entry);

// Entries of an index file. Stops at a torn trailing entry and at the first
// entry that is out of order or points at or past `segment_size`, so what it
// returns is always usable as a hint.
std::vector<IndexEntry> ParseIndex(std::string_view bytes, uint64_t segment_size);

// The last entry whose relative offset is <= `relative_offset`, if any.
std::optional<IndexEntry> FindIndexEntry(std::span<const IndexEntry> entries, uint32_t relative_offset);

}  // namespace pinpipe::bus::log
