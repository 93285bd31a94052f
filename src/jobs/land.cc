// Lander: poll -> one open object per partition -> put on size/age/hour
// change -> _SUCCESS when every partition has passed an hour. Objects of a
// partition are put strictly in offset order, so the highest landed offset
// is a safe resume point after any crash.
#include "jobs/land.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "core/log.h"
#include "jobs/land_metrics.h"
#include "lake/key_layout.h"

namespace pinpipe::jobs {

struct Lander::Partition {
  explicit Partition(bus::PartitionId partition, int zstd_level) : id(partition), file(zstd_level) {}
  bus::PartitionId id;
  bus::Offset next = 0;    // next offset to append (below it: landed or in `file`)
  bus::Offset landed = 0;  // next offset not yet in the lake
  bus::Offset end = 0;     // end offset at the last describe
  UnixMicros watermark = INT64_MIN;        // greatest ingested_at appended
  std::optional<UnixMicros> caught_up_at;  // wall time of a describe that found nothing unread
  std::optional<lake::LakeHour> late_logged;
  LandFile file;
  metrics::Gauge* lag = nullptr;
};

Lander::Lander(const LanderOptions& options, bus::Bus* bus, lake::ObjectStore* store, Clock* clock,
               metrics::Registry* registry)
    : options_(options), bus_(bus), store_(store), clock_(clock) {
  if (registry == nullptr) {
    own_registry_ = std::make_unique<metrics::Registry>();
    registry = own_registry_.get();
  }
  metrics_ = std::make_unique<LandMetrics>(*registry);
  opened_hour_ = lake::LakeHour::Of(clock_->NowMicros());
}

Lander::~Lander() = default;

Result<std::unique_ptr<Lander>> Lander::Open(const LanderOptions& options, bus::Bus* bus,
                                             lake::ObjectStore* store, Clock* clock,
                                             metrics::Registry* registry) {
  if (!lake::IsValidDatasetName(options.dataset)) {
    return Status::InvalidArgument("dataset name '" + options.dataset + "' must be 1-64 of [a-z0-9_-]");
  }
  if (options.max_file_bytes == 0 || options.max_file_age_micros <= 0 || options.poll_max_records == 0) {
    return Status::InvalidArgument("land: file size, file age and poll size must be positive");
  }
  std::unique_ptr<Lander> lander(new Lander(options, bus, store, clock, registry));
  PINPIPE_RETURN_IF_ERROR(lander->Resume());
  return lander;
}

Status Lander::Resume() {
  auto described = bus_->DescribeTopic(options_.topic);
  if (!described.ok() && described.status().code() == StatusCode::kNotFound && options_.create_partitions > 0) {
    Status created = bus_->CreateTopic(options_.topic, options_.create_partitions);
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
    described = bus_->DescribeTopic(options_.topic);
  }
  if (!described.ok()) return described.status().WithContext("land: topic " + options_.topic);

  const std::string prefix = lake::RawPrefix(options_.dataset);
  PINPIPE_ASSIGN_OR_RETURN(size_t stray, store_->RemoveStrayUploads(prefix));
  PINPIPE_ASSIGN_OR_RETURN(std::vector<lake::ObjectInfo> objects, store_->List(prefix));
  std::map<bus::PartitionId, bus::Offset> lake_last;
  std::optional<lake::LakeHour> last_marker, oldest_data;
  for (const lake::ObjectInfo& o : objects) {
    if (auto key = lake::ParseRawObjectKey(options_.dataset, o.key)) {
      auto [it, inserted] = lake_last.emplace(key->partition, key->last_offset);
      if (!inserted) it->second = std::max(it->second, key->last_offset);
      if (!oldest_data || key->hour < *oldest_data) oldest_data = key->hour;
    } else if (auto hour = lake::ParseRawSuccessKey(options_.dataset, o.key)) {
      if (!last_marker || *hour > *last_marker) last_marker = hour;
    }
  }
  for (const bus::PartitionInfo& info : *described) {
    auto p = std::make_unique<Partition>(info.partition, options_.zstd_level);
    auto it = lake_last.find(info.partition);
    p->next = it == lake_last.end() ? info.start_offset : it->second + 1;
    if (p->next > info.end_offset) {
      return Status::Corruption("land: the lake holds partition " + std::to_string(info.partition) +
                                " up to offset " + std::to_string(p->next - 1) + " but the bus ends at " +
                                std::to_string(info.end_offset) +
                                "; the log was recreated under an old lake: use a new --lake or dataset");
    }
    if (p->next < info.start_offset) {
      return Status::OutOfRange("land: partition " + std::to_string(info.partition) + " offsets " +
                                std::to_string(p->next) + ".." + std::to_string(info.start_offset - 1) +
                                " were deleted by retention before they were landed");
    }
    p->landed = p->next;
    p->end = info.end_offset;
    p->lag = &metrics_->Lag(info.partition);
    lake_last.erase(info.partition);
    partitions_.emplace(info.partition, std::move(p));
  }
  for (const auto& [partition, last] : lake_last) {
    core::Log("land").warn("event=lake_partition_not_in_bus partition={} last_offset={}", partition, last);
  }
  if (last_marker) {
    next_mark_ = last_marker->Next();
  } else if (oldest_data) {
    next_mark_ = *oldest_data;
  }
  PINPIPE_ASSIGN_OR_RETURN(consumer_, bus_->NewConsumer(options_.topic));
  PINPIPE_RETURN_IF_ERROR(Reassign());
  std::string resume;
  for (const auto& [id, p] : partitions_) resume += fmt::format("{}{}:{}", resume.empty() ? "" : ",", id, p->next);
  core::Log("land").info("event=land_opened topic={} store={} partitions={} resume={} stray_temp_removed={}",
                         options_.topic, store_->Describe(), partitions_.size(), resume, stray);
  return Status::Ok();
}

Status Lander::Reassign() { return consumer_->Assign(NextOffsets()); }

std::map<bus::PartitionId, bus::Offset> Lander::NextOffsets() const {
  std::map<bus::PartitionId, bus::Offset> out;
  for (const auto& [id, p] : partitions_) out[id] = p->next;
  return out;
}

std::map<bus::PartitionId, bus::Offset> Lander::LandedOffsets() const {
  std::map<bus::PartitionId, bus::Offset> out;
  for (const auto& [id, p] : partitions_) out[id] = p->landed;
  return out;
}

Status Lander::RefreshEnds(bool force) {
  int64_t mono = clock_->MonotonicMicros();
  if (!force && last_describe_ != INT64_MIN && mono - last_describe_ < options_.describe_interval_micros) {
    return Status::Ok();
  }
  UnixMicros now = clock_->NowMicros();
  PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::PartitionInfo> infos, bus_->DescribeTopic(options_.topic));
  last_describe_ = mono;
  bool added = false;
  for (const bus::PartitionInfo& info : infos) {
    auto it = partitions_.find(info.partition);
    if (it == partitions_.end()) {  // the topic grew (Kafka)
      auto p = std::make_unique<Partition>(info.partition, options_.zstd_level);
      p->next = p->landed = info.start_offset;
      p->lag = &metrics_->Lag(info.partition);
      it = partitions_.emplace(info.partition, std::move(p)).first;
      added = true;
    }
    Partition& p = *it->second;
    p.end = info.end_offset;
    p.lag->Set(static_cast<double>(std::max<bus::Offset>(0, p.end - p.landed)));
    if (p.next >= p.end) p.caught_up_at = now;
  }
  if (added) PINPIPE_RETURN_IF_ERROR(Reassign());
  return Status::Ok();
}

Status Lander::Step() {
  Status st = StepInner(options_.poll_timeout);
  if (!st.ok()) {
    metrics_->errors.Inc();
    // Records polled but not appended are read again from the next offsets.
    Status rewound = Reassign();
    if (!rewound.ok()) core::Log("land").warn("event=reassign_failed error={}", core::LogValue(rewound.ToString()));
  }
  return st;
}

Status Lander::StepInner(std::chrono::milliseconds timeout) {
  for (auto& [id, p] : partitions_) {
    if (p->file.sealed()) PINPIPE_RETURN_IF_ERROR(CloseFile(*p));  // a put that failed before
  }
  PINPIPE_RETURN_IF_ERROR(RefreshEnds(false));
  PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::Record> records, consumer_->Poll(options_.poll_max_records, timeout));
  for (const bus::Record& r : records) PINPIPE_RETURN_IF_ERROR(Append(r));
  PINPIPE_RETURN_IF_ERROR(CloseDueFiles());
  return MarkCompleteHours();
}

Status Lander::Append(const bus::Record& r) {
  auto it = partitions_.find(r.partition);
  if (it == partitions_.end()) {
    return Status::Internal("land: record from unassigned partition " + std::to_string(r.partition));
  }
  Partition& p = *it->second;
  if (r.offset < p.next) return Status::Ok();  // delivered twice; already appended
  lake::LakeHour hour = lake::LakeHour::Of(r.timestamp);
  if (p.file.open() && (p.file.hour() != hour || p.file.sealed())) PINPIPE_RETURN_IF_ERROR(CloseFile(p));
  if (next_mark_ && hour < *next_mark_) {
    ++stats_.late_records;
    metrics_->late_records.Inc();
    if (p.late_logged != hour) {
      p.late_logged = hour;
      core::Log("land").warn("event=late_record partition={} offset={} hour={}T{:02d} (already marked complete)",
                             p.id, r.offset, hour.Date(), hour.Hour());
    }
  }
  if (!oldest_seen_ || hour < *oldest_seen_) oldest_seen_ = hour;
  if (!p.file.open()) p.file.Start(hour, r.offset, clock_->MonotonicMicros());
  uint64_t before = p.file.uncompressed_bytes();
  p.file.Add(r.timestamp, r.partition, r.offset, r.value);
  p.next = r.offset + 1;
  p.watermark = std::max(p.watermark, r.timestamp);
  ++stats_.records;
  stats_.uncompressed_bytes += p.file.uncompressed_bytes() - before;
  if (p.file.uncompressed_bytes() >= options_.max_file_bytes) return CloseFile(p);
  return Status::Ok();
}

Status Lander::CloseFile(Partition& p) {
  if (!p.file.open()) return Status::Ok();
  const std::string& frame = p.file.Seal();
  lake::RawObjectKey key{p.file.hour(), p.id, p.file.first_offset(), p.file.last_offset()};
  std::string name = lake::RawObjectKeyString(options_.dataset, key);
  int64_t started = clock_->MonotonicMicros();
  PINPIPE_RETURN_IF_ERROR(store_->Put(name, frame));
  metrics_->put_seconds.Observe(static_cast<double>(clock_->MonotonicMicros() - started) / kMicrosPerSecond);
  ++stats_.files;
  stats_.compressed_bytes += frame.size();
  metrics_->files.Inc();
  metrics_->records.Inc(static_cast<double>(p.file.records()));
  metrics_->input_bytes.Inc(static_cast<double>(p.file.uncompressed_bytes()));
  metrics_->output_bytes.Inc(static_cast<double>(frame.size()));
  metrics_->last_object_time.Set(static_cast<double>(clock_->NowMicros()) / kMicrosPerSecond);
  core::Log("land").debug("event=object_landed key={} records={} bytes={} compressed={}", name,
                          p.file.records(), p.file.uncompressed_bytes(), frame.size());
  p.landed = p.file.last_offset() + 1;
  p.lag->Set(static_cast<double>(std::max<bus::Offset>(0, p.end - p.landed)));
  p.file.Clear();
  return Status::Ok();
}

Status Lander::CloseDueFiles() {
  int64_t mono = clock_->MonotonicMicros();
  for (auto& [id, p] : partitions_) {
    if (p->file.open() && mono - p->file.opened_at() >= options_.max_file_age_micros) {
      PINPIPE_RETURN_IF_ERROR(CloseFile(*p));
    }
  }
  return Status::Ok();
}

bool Lander::PartitionPassed(const Partition& p, lake::LakeHour hour) const {
  UnixMicros threshold = hour.end() + options_.lateness_micros;
  return p.watermark >= threshold || (p.caught_up_at && *p.caught_up_at >= threshold);
}

Status Lander::MarkCompleteHours() {
  if (!next_mark_) {
    // Start marking only once every partition has shown its oldest records
    // (or has none), so no hour is marked ahead of data still unread.
    for (const auto& [id, p] : partitions_) {
      if (p->watermark == INT64_MIN && !p->caught_up_at) return Status::Ok();
    }
    next_mark_ = oldest_seen_ ? std::min(*oldest_seen_, opened_hour_) : opened_hour_;
  }
  for (;;) {
    lake::LakeHour hour = *next_mark_;
    for (const auto& [id, p] : partitions_) {
      if (!PartitionPassed(*p, hour)) return Status::Ok();
    }
    for (auto& [id, p] : partitions_) {
      if (p->file.open() && p->file.hour() <= hour) PINPIPE_RETURN_IF_ERROR(CloseFile(*p));
    }
    PINPIPE_RETURN_IF_ERROR(store_->Put(lake::RawSuccessKey(options_.dataset, hour), ""));
    ++stats_.success_markers;
    metrics_->success_markers.Inc();
    metrics_->last_marker_hour.Set(static_cast<double>(hour.start) / kMicrosPerSecond);
    core::Log("land").info("event=hour_complete dt={} hr={:02d}", hour.Date(), hour.Hour());
    next_mark_ = hour.Next();
  }
}

Status Lander::Flush() {
  for (auto& [id, p] : partitions_) PINPIPE_RETURN_IF_ERROR(CloseFile(*p));
  return MarkCompleteHours();
}

Status Lander::RunOnce(std::stop_token stop) {
  PINPIPE_RETURN_IF_ERROR(RefreshEnds(true));
  UnixMicros described_at = clock_->NowMicros();
  std::map<bus::PartitionId, bus::Offset> target;
  for (const auto& [id, p] : partitions_) target[id] = p->end;
  auto behind = [&] {
    for (const auto& [id, end] : target) {
      if (partitions_.at(id)->next < end) return true;
    }
    return false;
  };
  std::chrono::milliseconds idle{0};
  while (behind() && !stop.stop_requested()) {
    size_t before = static_cast<size_t>(stats_.records);
    Status st = Step();
    if (!st.ok()) return st;
    if (static_cast<size_t>(stats_.records) != before) {
      idle = std::chrono::milliseconds(0);
    } else if ((idle += options_.poll_timeout) >= options_.once_stall_timeout) {
      return Status::Unavailable("land --once: the bus delivered nothing for " +
                                 std::to_string(options_.once_stall_timeout.count()) +
                                 " ms while records it reported are unread");
    }
  }
  if (stop.stop_requested()) return Flush();
  // Everything appended before the describe is read: each partition has
  // passed every hour that ended before then.
  for (auto& [id, p] : partitions_) p->caught_up_at = std::max(p->caught_up_at.value_or(INT64_MIN), described_at);
  return Flush();
}

Status Lander::Run(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::chrono::milliseconds backoff = options_.retry_initial;
  while (!stop.stop_requested()) {
    Status st = Step();
    if (st.ok()) {
      backoff = options_.retry_initial;
      continue;
    }
    if (!st.IsRetryable()) return st;
    core::Log("land").warn("event=land_retry error={} retry_in_ms={}", core::LogValue(st.ToString()),
                           backoff.count());
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, stop, backoff, [] { return false; });
    backoff = std::min(backoff * 2, options_.retry_max);
  }
  return Flush();
}

}  // namespace pinpipe::jobs
