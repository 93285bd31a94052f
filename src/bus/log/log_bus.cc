// LogBus: topic creation and lookup, writer sharing, describe.
#include "bus/log/log_bus.h"

#include <thread>

#include "bus/log/log_consumer.h"
#include "bus/log/log_layout.h"
#include "bus/log/log_producer.h"
#include "bus/log/partition_writer.h"
#include "core/log.h"

namespace pinpipe::bus::log {
namespace {

Status CheckSameCount(const std::string& topic, int32_t existing, int32_t wanted) {
  if (existing == wanted) return Status::Ok();
  return Status::AlreadyExists("topic '" + topic + "' exists with " + std::to_string(existing) +
                               " partitions, not " + std::to_string(wanted));
}

}  // namespace

Result<std::unique_ptr<LogBus>> LogBus::Open(const LogOptions& options) {
  PINPIPE_RETURN_IF_ERROR(ValidateLogOptions(options));
  PINPIPE_RETURN_IF_ERROR(options.fs->CreateDirs(options.dir));
  return std::unique_ptr<LogBus>(new LogBus(options));
}

Status LogBus::CreateTopic(const std::string& topic, int32_t partitions) {
  PINPIPE_RETURN_IF_ERROR(ValidateTopicName(topic));
  if (partitions < 1 || partitions > 10000) {
    return Status::InvalidArgument("partitions must be 1..10000, got " + std::to_string(partitions));
  }
  io::FileSystem* fs = options_.fs;
  const std::string dir = TopicDir(options_.dir, topic);
  auto meta = ReadTopicMeta(fs, dir);
  if (meta.ok()) return CheckSameCount(topic, meta->partitions, partitions);
  if (meta.status().code() != StatusCode::kNotFound) return meta.status();
  PINPIPE_RETURN_IF_ERROR(fs->CreateDirs(dir));
  auto lock = fs->Lock(io::JoinPath(dir, kLockFile));
  if (!lock.ok()) {
    // Another process is creating or writing it: its metadata comes first.
    for (int i = 0; i < 200 && lock.status().code() == StatusCode::kUnavailable; ++i) {
      meta = ReadTopicMeta(fs, dir);
      if (meta.ok()) return CheckSameCount(topic, meta->partitions, partitions);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return lock.status();
  }
  meta = ReadTopicMeta(fs, dir);
  if (meta.ok()) return CheckSameCount(topic, meta->partitions, partitions);
  for (PartitionId p = 0; p < partitions; ++p) {
    auto writer = PartitionWriter::Open(fs, PartitionDir(dir, p), p, {});
    if (!writer.ok()) return writer.status();
  }
  std::vector<Watermark> marks(static_cast<size_t>(partitions));
  PINPIPE_RETURN_IF_ERROR(io::WriteFileAtomically(fs, io::JoinPath(dir, kWatermarksFile), EncodeWatermarks(marks)));
  // The metadata file is written last: its presence means the topic is complete.
  PINPIPE_RETURN_IF_ERROR(
      io::WriteFileAtomically(fs, io::JoinPath(dir, kTopicMetaFile), EncodeTopicMeta({.partitions = partitions})));
  PINPIPE_RETURN_IF_ERROR(fs->SyncDir(options_.dir));
  core::Log("log").info("event=topic_created topic={} partitions={} dir={}", topic, partitions, dir);
  return Status::Ok();
}

Result<LogBus::TopicEntry*> LogBus::Entry(const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(ValidateTopicName(topic));
  auto it = topics_.find(topic);
  if (it != topics_.end()) return &it->second;
  auto meta = ReadTopicMeta(options_.fs, TopicDir(options_.dir, topic));
  if (!meta.ok()) {
    if (meta.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("topic '" + topic + "' does not exist in " + options_.dir);
    }
    return meta.status();
  }
  TopicEntry& entry = topics_[topic];
  entry.state = std::make_shared<TopicState>(meta->partitions);
  return &entry;
}

Status LogBus::EnsureTopic(const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(ValidateTopicName(topic));
  auto meta = ReadTopicMeta(options_.fs, TopicDir(options_.dir, topic));
  if (meta.ok()) return Status::Ok();
  if (meta.status().code() != StatusCode::kNotFound) return meta.status();
  Status st = CreateTopic(topic, options_.default_partitions);
  return st.code() == StatusCode::kAlreadyExists ? Status::Ok() : st;
}

Result<std::vector<PartitionInfo>> LogBus::DescribeTopic(const std::string& topic) {
  std::shared_ptr<TopicState> state;
  {
    std::lock_guard lock(mu_);
    PINPIPE_ASSIGN_OR_RETURN(TopicEntry * entry, Entry(topic));
    state = entry->state;
  }
  const std::string dir = TopicDir(options_.dir, topic);
  WatermarkSource source(options_.fs, dir, state);
  PINPIPE_ASSIGN_OR_RETURN(std::vector<Watermark> marks, source.Current());
  std::vector<PartitionInfo> infos;
  for (PartitionId p = 0; p < state->partitions(); ++p) {
    PartitionInfo info{.partition = p, .start_offset = marks[p].start, .end_offset = marks[p].end};
    std::string pdir = PartitionDir(dir, p);
    PINPIPE_ASSIGN_OR_RETURN(std::vector<io::DirEntry> files, options_.fs->ListDir(pdir));
    for (const io::DirEntry& f : files) {
      auto size = options_.fs->FileSize(io::JoinPath(pdir, f.name));
      if (size.ok()) info.bytes += *size;  // a file retention just removed counts as 0
    }
    infos.push_back(info);
  }
  return infos;
}

Result<std::unique_ptr<Producer>> LogBus::NewProducer(const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(EnsureTopic(topic));
  std::lock_guard lock(mu_);
  PINPIPE_ASSIGN_OR_RETURN(TopicEntry * entry, Entry(topic));
  std::shared_ptr<TopicWriter> writer = entry->writer.lock();
  if (!writer) {
    PINPIPE_ASSIGN_OR_RETURN(writer, TopicWriter::Open(options_, topic, entry->state));
    entry->writer = writer;
  }
  return std::unique_ptr<Producer>(new LogProducer(std::move(writer)));
}

Result<std::unique_ptr<Consumer>> LogBus::NewConsumer(const std::string& topic) {
  PINPIPE_RETURN_IF_ERROR(EnsureTopic(topic));
  std::lock_guard lock(mu_);
  PINPIPE_ASSIGN_OR_RETURN(TopicEntry * entry, Entry(topic));
  return std::unique_ptr<Consumer>(new LogConsumer(options_, TopicDir(options_.dir, topic), entry->state));
}

Status LogBus::RunRetention(const std::string& topic) {
  std::shared_ptr<TopicWriter> writer;
  {
    std::lock_guard lock(mu_);
    PINPIPE_ASSIGN_OR_RETURN(TopicEntry * entry, Entry(topic));
    writer = entry->writer.lock();
  }
  if (!writer) return Status::Unavailable("no producer of topic '" + topic + "' is open in this process");
  return writer->RunRetention();
}

}  // namespace pinpipe::bus::log
