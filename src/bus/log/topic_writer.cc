// TopicWriter: open/recovery of a topic, admission, fan-out to commit threads.
#include "bus/log/topic_writer.h"

#include "bus/bus.h"
#include "bus/log/log_layout.h"
#include "bus/log/record_format.h"
#include "core/log.h"

namespace pinpipe::bus::log {

TopicWriter::TopicWriter(const LogOptions& options, std::string topic_dir, std::shared_ptr<TopicState> state)
    : options_(options), topic_dir_(std::move(topic_dir)), state_(std::move(state)) {}

Result<std::shared_ptr<TopicWriter>> TopicWriter::Open(const LogOptions& options, const std::string& topic,
                                                       std::shared_ptr<TopicState> state) {
  std::shared_ptr<TopicWriter> w(new TopicWriter(options, TopicDir(options.dir, topic), std::move(state)));
  io::FileSystem* fs = options.fs;
  std::string lock_path = io::JoinPath(w->topic_dir_, kLockFile);
  auto lock = fs->Lock(lock_path);
  if (!lock.ok()) {
    if (lock.status().code() == StatusCode::kUnavailable) {
      return Status::Unavailable("topic '" + topic + "' in " + options.dir +
                                 " is already being written by another process (it holds " + lock_path +
                                 "); the log allows one writer process: stop it or produce through it");
    }
    return lock.status();
  }
  w->lock_ = std::move(lock).value();
  const int32_t partitions = w->state_->partitions();
  PartitionWriterOptions pw{.segment_bytes = options.segment_bytes,
                            .index_interval_bytes = options.index_interval_bytes,
                            .retention_ms = options.retention_ms,
                            .retention_bytes = options.retention_bytes};
  for (PartitionId p = 0; p < partitions; ++p) {
    auto pwriter = PartitionWriter::Open(fs, PartitionDir(w->topic_dir_, p), p, pw);
    if (!pwriter.ok()) return pwriter.status().WithContext("open topic '" + topic + "' partition " + std::to_string(p));
    w->marks_.push_back({(*pwriter)->start_offset(), (*pwriter)->next_offset()});
    w->writers_.push_back(std::move(pwriter).value());
  }
  PINPIPE_RETURN_IF_ERROR(WriteWatermarks(fs, w->topic_dir_, w->marks_));
  w->state_->Attach(w->marks_);
  w->attached_ = true;
  w->publisher_ = std::make_unique<WatermarkPublisher>(fs, w->topic_dir_, options.watermarks_file_interval);
  int threads = options.commit_threads > 0 ? options.commit_threads : std::min(partitions, 4);
  threads = std::min(threads, partitions);
  CommitWorker::Context ctx{
      .sync = options.sync,
      .clock = options.clock,
      .retention_enabled = options.retention_ms >= 0 || options.retention_bytes >= 0,
      .retention_check = std::chrono::milliseconds(options.retention_check_ms),
      .sync_threads = options.sync_threads,
      .publish = [raw = w.get()](const std::vector<PartitionMark>& marks) { raw->Publish(marks); },
      .publish_start = [raw = w.get()](PartitionId p, Offset start) { raw->PublishStart(p, start); },
      .release = [raw = w.get()](uint64_t bytes) { raw->pending_bytes_.fetch_sub(bytes); },
  };
  for (int t = 0; t < threads; ++t) {
    std::vector<PartitionWriter*> mine(static_cast<size_t>(partitions), nullptr);
    for (PartitionId p = t; p < partitions; p += threads) mine[static_cast<size_t>(p)] = w->writers_[static_cast<size_t>(p)].get();
    w->workers_.push_back(std::make_unique<CommitWorker>(ctx, std::move(mine)));
  }
  core::Log("log").info("event=writer_opened topic={} partitions={} sync={} commit_threads={}", topic, partitions,
                        SyncPolicyName(options.sync), threads);
  return w;
}

TopicWriter::~TopicWriter() {
  for (auto& worker : workers_) PINPIPE_CHECK_MSG(!worker->IsWorkerThread(), "TopicWriter destroyed in its callback");
  for (auto& worker : workers_) worker->Stop();
  workers_.clear();
  if (!attached_) return;  // Open failed part way: nothing was published
  std::vector<PartitionMark> marks;
  for (auto& w : writers_) {
    if (w->failed().ok() && w->Sync().ok()) marks.push_back({w->partition(), {w->start_offset(), w->next_offset()}});
  }
  Publish(marks);
  publisher_->Stop();  // writes the final marks
  writers_.clear();
  state_->Detach();
}

void TopicWriter::Publish(const std::vector<PartitionMark>& marks) {
  std::lock_guard lock(marks_mu_);
  for (const auto& [p, mark] : marks) marks_[static_cast<size_t>(p)] = mark;
  state_->PublishAll(marks_);
  publisher_->Update(marks_);
}

void TopicWriter::PublishStart(PartitionId partition, Offset start) {
  std::lock_guard lock(marks_mu_);
  marks_[static_cast<size_t>(partition)].start = start;
  state_->PublishAll(marks_);
  publisher_->Update(marks_);
}

void TopicWriter::Reject(AppendCallback done, Status status) {
  auto work = std::make_unique<AppendWork>();
  work->join = std::make_shared<AppendJoin>(0, 1, std::move(done));
  work->status = std::move(status);
  workers_[0]->Enqueue(std::move(work));
}

void TopicWriter::Submit(std::span<const Message> messages, AppendCallback done) {
  const int32_t partitions = this->partitions();
  uint64_t bytes = 0;
  for (const Message& m : messages) bytes += FramedSize(m.key.size(), m.value.size());
  for (const Message& m : messages) {
    if (FramedSize(m.key.size(), m.value.size()) > kMaxRecordBytes) {
      return Reject(std::move(done), Status::InvalidArgument("record of " + std::to_string(m.value.size()) +
                                                             " bytes exceeds the log's limit of 64 MiB"));
    }
  }
  uint64_t before = pending_bytes_.fetch_add(bytes);
  if (before > 0 && before + bytes > options_.max_pending_bytes) {
    pending_bytes_.fetch_sub(bytes);
    return Reject(std::move(done), Status::ResourceExhausted("log writer is overloaded: " +
                                                             std::to_string(before) +
                                                             " bytes are waiting to be made durable; retry later"));
  }
  const UnixMicros now = options_.clock->NowMicros();
  // Group the messages by commit thread, keeping their order.
  std::vector<std::unique_ptr<AppendWork>> shares(workers_.size());
  int share_count = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Message& m = messages[i];
    PartitionId p = m.key.empty() ? 0 : PartitionForKey(m.key, partitions);
    auto& share = shares[static_cast<size_t>(p) % workers_.size()];
    if (!share) {
      share = std::make_unique<AppendWork>();
      ++share_count;
    }
    AppendWork::Item item{.partition = p,
                          .message_index = static_cast<uint32_t>(i),
                          .key_pos = share->arena.size(),
                          .key_len = static_cast<uint32_t>(m.key.size()),
                          .value_len = static_cast<uint32_t>(m.value.size()),
                          .timestamp = m.timestamp != 0 ? m.timestamp : now};
    share->arena.append(m.key);
    share->arena.append(m.value);
    share->bytes += FramedSize(m.key.size(), m.value.size());
    share->items.push_back(item);
  }
  if (share_count == 0) {
    pending_bytes_.fetch_sub(bytes);
    return Reject(std::move(done), Status::Ok());
  }
  auto join = std::make_shared<AppendJoin>(messages.size(), share_count, std::move(done));
  for (size_t t = 0; t < shares.size(); ++t) {
    if (!shares[t]) continue;
    shares[t]->join = join;
    workers_[t]->Enqueue(std::move(shares[t]));
  }
}

Status TopicWriter::RunRetention() {
  Status first;
  for (auto& worker : workers_) {
    Status st = worker->RunRetention();
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

}  // namespace pinpipe::bus::log
