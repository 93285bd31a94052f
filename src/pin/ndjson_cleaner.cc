// CleanNdjson: the calling thread reads chunks and writes finished ones in
// order; worker threads clean chunks. At most max_chunks_in_flight chunk
// buffers exist, and they are reused, so memory is bounded and steady.
#include "pin/ndjson_cleaner.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pin/clean_view.h"
#include "pin/line_chunker.h"

namespace pinpipe::pin {
namespace {

// Growable bytes that are never zero-filled (std::string::resize would), so
// a record can be written straight into reserved space.
class OutputBuffer {
 public:
  void clear() { size_ = 0; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Space for at least n more bytes; Commit() says where writing stopped.
  char* Reserve(size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    return data_.get() + size_;
  }
  void Commit(char* end) { size_ = static_cast<size_t>(end - data_.get()); }

 private:
  void Grow(size_t need) {
    size_t capacity = std::max({need, 2 * capacity_, size_t{64} << 10});
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

struct Chunk {
  LineChunk in;
  OutputBuffer clean;
  // Rejects as AppendRejectJson wrote them with chunk-relative line numbers
  // (0-based); the writer renumbers them once the chunk's first line is known.
  std::string rejects;
  std::vector<int64_t> reject_lines;
  std::vector<size_t> reject_starts;
  NdjsonCleanStats stats;  // stats.lines: the chunk's line count
  bool done = false;       // guarded by WorkQueue::mu
};

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

void CountNulls(const CleanView& r, std::array<int64_t, kCleanFieldCount>* nulls) {
  auto& n = *nulls;
  n[int(CleanField::kInd)] += !r.ind;
  n[int(CleanField::kTitle)] += r.title.empty();
  n[int(CleanField::kDescription)] += r.description.empty();
  n[int(CleanField::kPosterName)] += r.poster_name.empty();
  n[int(CleanField::kFollowerCount)] += !r.follower_count;
  n[int(CleanField::kTagList)] += r.tag_list.empty();
  n[int(CleanField::kIsVideo)] += !r.is_video;
  n[int(CleanField::kMediaType)] += r.media_type.empty();
  n[int(CleanField::kImageSrc)] += r.image_src.empty();
  n[int(CleanField::kDownloaded)] += !r.downloaded;
  n[int(CleanField::kSaveLocation)] += r.save_location.empty();
  n[int(CleanField::kCategory)] += r.category.empty();
}

// One worker's reusable state.
class ChunkCleaner {
 public:
  explicit ChunkCleaner(size_t max_record_bytes) : max_record_bytes_(max_record_bytes) {}

  void Clean(Chunk* c) {
    c->clean.clear();
    c->rejects.clear();
    c->reject_lines.clear();
    c->reject_starts.clear();
    c->stats = NdjsonCleanStats();
    std::string_view bytes = c->in.bytes();
    c->stats.bytes_in = static_cast<int64_t>(bytes.size());
    if (c->in.oversized) {
      c->stats.lines = 1;
      RejectOversized(0, bytes, c);
      return;
    }
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    int64_t line = 0;
    for (; p < end; ++line) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* line_end = nl != nullptr ? nl : end;
      CleanLine(line, std::string_view(p, static_cast<size_t>(line_end - p)), c);
      p = line_end + 1;
    }
    c->stats.lines = line;
    c->stats.bytes_out = static_cast<int64_t>(c->clean.view().size());
  }

 private:
  void CleanLine(int64_t line, std::string_view raw, Chunk* c) {
    if (IsBlank(raw)) {
      ++c->stats.blank_lines;
      return;
    }
    if (raw.size() > max_record_bytes_) {
      RejectOversized(line, raw, c);
      return;
    }
    ++c->stats.records_in;
    if (viewer_.View(raw, &view_, &rejection_)) {
      ++c->stats.records_out;
      CountNulls(view_, &c->stats.nulls);
      char* end = WriteCleanViewJson(view_, c->clean.Reserve(CleanViewJsonBound(view_) + 1));
      *end++ = '\n';
      c->clean.Commit(end);
    } else {
      ++c->stats.rejected[static_cast<int>(rejection_.reason)];
      AddReject(line, rejection_, raw, c);
    }
  }

  void RejectOversized(int64_t line, std::string_view head, Chunk* c) {
    ++c->stats.records_in;
    ++c->stats.rejected[static_cast<int>(RejectReason::kInvalidJson)];
    Rejection r{RejectReason::kInvalidJson, "",
                "record longer than " + std::to_string(max_record_bytes_) + " bytes"};
    AddReject(line, r, head, c);
  }

  static void AddReject(int64_t line, const Rejection& r, std::string_view raw, Chunk* c) {
    c->reject_lines.push_back(line);
    c->reject_starts.push_back(c->rejects.size());
    AppendRejectJson(line, r, raw, &c->rejects);
    c->rejects.push_back('\n');
  }

  size_t max_record_bytes_;
  CleanViewer viewer_;
  CleanView view_;
  Rejection rejection_;
};

// The chunk's rejects with absolute line numbers (first_line: 1-based
// number of the chunk's first line).
void RenumberRejects(const Chunk& c, int64_t first_line, std::string* out) {
  out->clear();
  for (size_t i = 0; i < c.reject_starts.size(); ++i) {
    size_t start = c.reject_starts[i];
    size_t end = i + 1 < c.reject_starts.size() ? c.reject_starts[i + 1] : c.rejects.size();
    std::string_view reject(c.rejects.data() + start, end - start);
    reject.remove_prefix(reject.find(','));  // drop `{"line":<relative>`
    out->append("{\"line\":");
    out->append(std::to_string(first_line + c.reject_lines[i]));
    out->append(reject);
  }
}

// Chunks waiting for a worker, and completion signalling back to the writer.
class WorkQueue {
 public:
  void Push(Chunk* c) {
    {
      std::lock_guard lock(mu_);
      c->done = false;
      todo_.push_back(c);
    }
    work_cv_.notify_one();
  }
  // Blocks for work; nullptr once Stop() was called and nothing is left.
  Chunk* Pop() {
    std::unique_lock lock(mu_);
    work_cv_.wait(lock, [&] { return stopping_ || !todo_.empty(); });
    if (todo_.empty()) return nullptr;
    Chunk* c = todo_.front();
    todo_.pop_front();
    return c;
  }
  void MarkDone(Chunk* c) {
    {
      std::lock_guard lock(mu_);
      c->done = true;
    }
    done_cv_.notify_all();
  }
  void WaitDone(Chunk* c) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return c->done; });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      todo_.clear();
    }
    work_cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Chunk*> todo_;
  bool stopping_ = false;
};

}  // namespace

std::string_view CleanFieldName(CleanField field) {
  static constexpr std::array<std::string_view, kCleanFieldCount> kNames = {
      "ind", "title", "description", "poster_name", "follower_count", "tag_list", "is_video",
      "media_type", "image_src", "downloaded", "save_location", "category"};
  return kNames[static_cast<size_t>(field)];
}

int64_t NdjsonCleanStats::RejectedTotal() const {
  int64_t total = 0;
  for (int64_t n : rejected) total += n;
  return total;
}

void NdjsonCleanStats::Add(const NdjsonCleanStats& o) {
  lines += o.lines;
  blank_lines += o.blank_lines;
  records_in += o.records_in;
  records_out += o.records_out;
  for (int i = 0; i < kRejectReasonCount; ++i) rejected[i] += o.rejected[i];
  for (int i = 0; i < kCleanFieldCount; ++i) nulls[i] += o.nulls[i];
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
}

Result<NdjsonCleanStats> CleanNdjson(io::SequentialFile* input, io::WritableFile* output,
                                     io::WritableFile* rejects, const NdjsonCleanOptions& options) {
  int threads = options.threads > 0 ? options.threads
                                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int max_in_flight = options.max_chunks_in_flight > 0 ? options.max_chunks_in_flight : 2 * threads + 2;
  size_t chunk_bytes = std::max<size_t>(options.chunk_bytes, 1);
  size_t max_record_bytes = std::max<size_t>(options.max_record_bytes, 1);

  WorkQueue queue;
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&queue, max_record_bytes] {
      ChunkCleaner cleaner(max_record_bytes);
      while (Chunk* c = queue.Pop()) {
        cleaner.Clean(c);
        queue.MarkDone(c);
      }
    });
  }

  std::vector<std::unique_ptr<Chunk>> pool;  // every chunk buffer ever made
  std::vector<Chunk*> free_chunks;
  std::deque<Chunk*> in_order;
  LineChunker chunker(input, chunk_bytes, max_record_bytes);
  NdjsonCleanStats total;
  std::string reject_buffer;
  Status status;
  bool input_done = false;
  while (status.ok()) {
    // Keep the workers fed, then retire the oldest chunk.
    while (!input_done && static_cast<int>(in_order.size()) < max_in_flight) {
      if (free_chunks.empty()) {
        pool.push_back(std::make_unique<Chunk>());
        free_chunks.push_back(pool.back().get());
      }
      Chunk* c = free_chunks.back();
      Result<bool> more = chunker.Next(&c->in);
      if (!more.ok()) status = more.status();
      if (!more.ok() || !*more) {
        input_done = true;
        break;
      }
      free_chunks.pop_back();
      in_order.push_back(c);
      queue.Push(c);
    }
    if (!status.ok() || in_order.empty()) break;
    Chunk* c = in_order.front();
    in_order.pop_front();
    queue.WaitDone(c);
    if (!c->clean.empty()) status = output->Append(c->clean.view());
    if (status.ok() && !c->rejects.empty()) {
      RenumberRejects(*c, total.lines + 1, &reject_buffer);
      status = rejects->Append(reject_buffer);
    }
    total.Add(c->stats);
    free_chunks.push_back(c);
  }
  queue.Stop();
  for (std::thread& t : workers) t.join();
  if (!status.ok()) return status;
  total.bytes_in = chunker.bytes_read();
  return total;
}

}  // namespace pinpipe::pin
