// `batch`'s clean zone written while the date loads, instead of read back
// from the warehouse after the commit (that read alone cost a 1M-record day
// ~1.2 s of CPU). Readers render each row's line (batch_reader.h); the
// stager keeps one line per unique_id in first-loaded order, the order the
// warehouse keeps, with the newest version's text. Lines stay in a window
// of recent rows, where a later version can still replace them; lines
// leaving it are compressed on a thread of their own into part uploads.
// Nothing is visible until Publish, after the warehouse commit.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "jobs/batch_clean_zone.h"
#include "jobs/batch_reader.h"
#include "lake/object_store.h"
#include "lake/zstd_codec.h"

namespace pinpipe::jobs {

// Versions of a unique_id come close together in practice (a client's
// retry, an emulator's replay), so a window of `window_rows` lines (and at
// most `window_bytes` of them, whatever the records' size) catches them.
// A version whose first line already left the window makes the stager give
// up; `batch` then writes the zone from the warehouse after the commit.
// Owned by one thread (it runs one more inside).
class CleanZoneStager {
 public:
  CleanZoneStager(lake::ObjectStore* store, CleanZoneOptions options, int64_t window_rows = 32768,
                  size_t window_bytes = 64u << 20);
  ~CleanZoneStager();  // discards whatever was not published

  // Removes what crashed writers left under the date's clean prefix, then
  // starts the compressing thread. Call before Add, while no other batch
  // of the date runs.
  Status Start();
  // One loaded chunk with its lines, in load order, and each row's place
  // in the date as the warehouse gave it (DateReplacement::AddRows). Takes
  // chunk.zone_text. Errors are the store's (from the compressing thread).
  Status Add(BatchChunk& chunk, std::span<const int64_t> places);
  // After the last Add: hands every line the window holds to the
  // compressing thread, without waiting for it.
  void EndLoad();
  // Then: waits for the compressing thread and seals the parts. Returns
  // the lines staged. REQUIRES: gave_up() is empty.
  Result<int64_t> Finish();
  // After the warehouse commit: publishes the parts in order, deletes older
  // parts beyond them, writes _SUCCESS. REQUIRES: Finish succeeded.
  Result<CleanZoneStats> Publish();

  // Distinct unique_ids added (counted whether or not the stager gave up).
  int64_t distinct() const { return lines_; }
  // Empty while the stager works; else why it gave up.
  const std::string& gave_up() const { return gave_up_; }

 private:
  struct Version {
    int64_t ingested_at;
    int32_t partition;
    int64_t offset;
    auto Key() const { return std::tie(ingested_at, partition, offset); }
  };
  // A loaded chunk's lines: line places first..first + lines() - 1 are
  // its rows that were new ids (all rows, or those in kept_rows).
  struct WindowPart {
    int64_t first = 0;
    std::string text;                  // every row's line, as the reader made it
    std::vector<uint32_t> ends;        // row i's line ends at ends[i]
    std::vector<uint32_t> kept_rows;   // empty: every row is kept
    std::vector<Version> versions;     // per kept line
    std::map<uint32_t, std::string> replaced;  // kept line -> a newer version's line
    size_t lines() const { return versions.size(); }
  };

  void GiveUp(std::string why);
  // Hands the oldest window part to the compressing thread (waiting for
  // room in its queue unless `wait` is false).
  Status Evict(bool wait = true);
  void Compress();  // the compressing thread
  // On the compressing thread: the part's kept lines, newest texts, in
  // order (the part's own text, or assembled in *scratch).
  static std::string_view PartLines(const WindowPart& part, std::string* scratch);
  // On the compressing thread: one frame of `rows` lines.
  Status AppendFrame(std::string_view frame, int64_t rows);
  void StopCompressing(bool drain);  // drain: compress what is queued first

  lake::ObjectStore* const store_;
  const CleanZoneOptions options_;
  const int64_t window_rows_;
  const size_t window_bytes_;
  int64_t lines_ = 0;  // one per unique_id, at its place in the date
  std::deque<WindowPart> window_;
  size_t window_text_bytes_ = 0;  // of the parts' texts
  std::string gave_up_;

  // Shared with the compressing thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WindowPart> queue_;       // guarded by mu_: left the window, to compress
  std::vector<std::string> free_texts_;  // guarded by mu_: compressed parts' buffers, for chunks to reuse
  bool closing_ = false;               // guarded by mu_
  Status error_;                       // guarded by mu_
  std::jthread compressor_;
  // The compressing thread's until it is joined.
  std::vector<std::unique_ptr<lake::ObjectUpload>> parts_;
  int64_t part_rows_ = 0;  // lines in parts_.back()
  int64_t staged_ = 0;     // lines in all parts
};

}  // namespace pinpipe::jobs
