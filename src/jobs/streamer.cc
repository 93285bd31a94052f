// Streamer: sessions of (read positions, assign, poll → clean → batch →
// commit) wrapped in retries. Everything a session held in memory is thrown
// away when it fails: the next session starts again from the positions the
// database committed, which is what makes the stream exactly once.
#include "jobs/streamer.h"

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <map>
#include <mutex>

#include "core/log.h"
#include "jobs/stream_batch.h"
#include "jobs/stream_committer.h"
#include "jobs/stream_metrics.h"
#include "pin/pin.h"

namespace pinpipe::jobs {
namespace {

std::string FormatPositions(const sinks::PositionMap& positions) {
  std::string out;
  for (const auto& [p, o] : positions) {
    if (!out.empty()) out += ',';
    out += std::to_string(p) + ":" + std::to_string(o);
  }
  return out.empty() ? "none" : out;
}

// Waits `d` or until `stop` is requested (real time: a back-off pause).
void SleepUnlessStopped(std::stop_token stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
}

}  // namespace

struct Streamer::Impl {
  StreamerOptions options;
  bus::Bus* bus;
  std::vector<sinks::LiveSink*> sinks;  // one per lane; sinks[0] also reads positions
  Clock* clock;
  std::unique_ptr<metrics::Registry> own_registry;
  std::unique_ptr<StreamMetrics> metrics;
  pin::Cleaner cleaner;
  std::atomic<bool> ready{true};
  int64_t next_lag_refresh_us = 0;

  Result<std::vector<bus::PartitionInfo>> Partitions();
  // Read positions from the sink and where each partition's reading starts.
  Status StartPositions(const std::vector<bus::PartitionInfo>& parts, sinks::PositionMap* stored,
                        sinks::PositionMap* start);
  // One session; `targets` (RunOnce) bounds what is read. Adds what its
  // commits held to `summary`.
  Status Session(std::stop_token stop, const sinks::PositionMap* targets, StreamSummary* summary);
  Status ReadLoop(std::stop_token stop, const sinks::PositionMap* targets, bus::Consumer* consumer,
                  sinks::PositionMap read_next, const std::vector<std::unique_ptr<StreamCommitter>>& committers,
                  const sinks::PositionMap& stored);
  void MaybeRefreshLag(const std::vector<std::unique_ptr<StreamCommitter>>& committers,
                       const sinks::PositionMap& start);
  // Which lane (index into sinks) commits `partition`.
  size_t LaneOf(bus::PartitionId partition) const {
    auto it = lane_of.find(partition);
    return it == lane_of.end() ? 0 : it->second;
  }
  std::map<bus::PartitionId, size_t> lane_of;  // set by each session from the topic's partitions
  // Runs sessions until one ends OK, fails non-retryably, or stop.
  Status WithRetries(std::stop_token stop, const sinks::PositionMap* targets, StreamSummary* summary);
};

Streamer::Streamer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Streamer::~Streamer() = default;

bool Streamer::ready() const { return impl_->ready.load(); }

Result<std::unique_ptr<Streamer>> Streamer::Open(const StreamerOptions& options, bus::Bus* bus,
                                                 sinks::LiveSink* sink, Clock* clock,
                                                 metrics::Registry* registry) {
  return Open(options, bus, std::vector<sinks::LiveSink*>{sink}, clock, registry);
}

Result<std::unique_ptr<Streamer>> Streamer::Open(const StreamerOptions& options, bus::Bus* bus,
                                                 std::vector<sinks::LiveSink*> sinks, Clock* clock,
                                                 metrics::Registry* registry) {
  if (sinks.empty()) return Status::InvalidArgument("stream: no sink");
  if (options.topic.empty()) return Status::InvalidArgument("stream: empty topic name");
  if (options.max_batch_records == 0 || options.max_batch_bytes == 0) {
    return Status::InvalidArgument("stream: batch limits must be positive");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->bus = bus;
  impl->sinks = std::move(sinks);
  impl->clock = clock;
  if (registry == nullptr) {
    impl->own_registry = std::make_unique<metrics::Registry>();
    registry = impl->own_registry.get();
  }
  impl->metrics = std::make_unique<StreamMetrics>(registry);
  return std::unique_ptr<Streamer>(new Streamer(std::move(impl)));
}

Status Streamer::Run(std::stop_token stop) {
  StreamSummary summary;
  return impl_->WithRetries(stop, nullptr, &summary);
}

Result<StreamSummary> Streamer::RunOnce(std::stop_token stop) {
  StreamSummary summary;
  sinks::PositionMap targets;
  auto parts = impl_->Partitions();
  for (int64_t backoff = impl_->options.retry_initial.count(); !parts.ok() && parts.status().IsRetryable();) {
    if (stop.stop_requested()) return summary;
    core::Log("stream").warn("event=retry error={} backoff_ms={}", core::LogValue(parts.status().ToString()),
                             backoff);
    SleepUnlessStopped(stop, std::chrono::milliseconds(backoff));
    backoff = std::min<int64_t>(backoff * 2, impl_->options.retry_max.count());
    parts = impl_->Partitions();
  }
  if (!parts.ok()) return parts.status();
  for (const bus::PartitionInfo& p : *parts) targets[p.partition] = p.end_offset;
  PINPIPE_RETURN_IF_ERROR(impl_->WithRetries(stop, &targets, &summary));
  auto positions = impl_->sinks[0]->ReadPositions(impl_->options.topic);
  if (positions.ok()) summary.positions = std::move(positions).value();
  core::Log("stream").info("event=drained records={} rows={} dead_letters={} batches={} positions={}",
                           summary.records, summary.rows, summary.dead_letters, summary.batches,
                           FormatPositions(summary.positions));
  return summary;
}

Result<std::vector<bus::PartitionInfo>> Streamer::Impl::Partitions() {
  auto parts = bus->DescribeTopic(options.topic);
  if (parts.ok() || parts.status().code() != StatusCode::kNotFound || options.create_partitions <= 0) {
    return parts;
  }
  Status created = bus->CreateTopic(options.topic, options.create_partitions);
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  return bus->DescribeTopic(options.topic);
}

Status Streamer::Impl::WithRetries(std::stop_token stop, const sinks::PositionMap* targets,
                                   StreamSummary* summary) {
  std::chrono::milliseconds backoff = options.retry_initial;
  for (;;) {
    int64_t batches_before = summary->batches;
    Status st = Session(stop, targets, summary);
    if (st.ok() || !st.IsRetryable()) return st;
    if (summary->batches > batches_before) backoff = options.retry_initial;  // it had recovered
    ready = false;
    ++summary->retries;
    metrics->retries.Inc();
    core::Log("stream").warn("event=retry error={} backoff_ms={}", core::LogValue(st.ToString()),
                             backoff.count());
    SleepUnlessStopped(stop, backoff);
    if (stop.stop_requested()) return Status::Ok();
    backoff = std::min(backoff * 2, options.retry_max);
  }
}

Status Streamer::Impl::StartPositions(const std::vector<bus::PartitionInfo>& parts,
                                      sinks::PositionMap* stored, sinks::PositionMap* start) {
  PINPIPE_ASSIGN_OR_RETURN(*stored, sinks[0]->ReadPositions(options.topic));
  for (const bus::PartitionInfo& p : parts) {
    auto it = stored->find(p.partition);
    bus::Offset at = it == stored->end() ? p.start_offset : it->second;
    if (at < p.start_offset) {
      return Status::OutOfRange("partition " + std::to_string(p.partition) +
                                ": the stream's stored position " + std::to_string(at) +
                                " is below the log start " + std::to_string(p.start_offset) +
                                ": retention deleted records before they were streamed; raise retention, or "
                                "delete this partition's row in pinpipe_offsets to skip them");
    }
    if (at > p.end_offset) {
      return Status::OutOfRange("partition " + std::to_string(p.partition) +
                                ": the stream's stored position " + std::to_string(at) +
                                " is past the log end " + std::to_string(p.end_offset) +
                                " (was the log recreated?); point --sink at a fresh database");
    }
    (*start)[p.partition] = at;
  }
  return Status::Ok();
}

Status Streamer::Impl::Session(std::stop_token stop, const sinks::PositionMap* targets,
                               StreamSummary* summary) {
  PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::PartitionInfo> parts, Partitions());
  sinks::PositionMap stored, start;
  PINPIPE_RETURN_IF_ERROR(StartPositions(parts, &stored, &start));
  PINPIPE_ASSIGN_OR_RETURN(std::unique_ptr<bus::Consumer> consumer, bus->NewConsumer(options.topic));
  PINPIPE_RETURN_IF_ERROR(consumer->Assign(start));
  core::Log("stream").info("event=session_started topic={} sink={} connections={} positions={}", options.topic,
                           core::LogValue(sinks[0]->Describe()), sinks.size(), FormatPositions(start));
  if (!ready.exchange(true)) core::Log("stream").info("event=recovered");

  lane_of.clear();
  for (size_t i = 0; i < parts.size(); ++i) lane_of[parts[i].partition] = i % sinks.size();
  std::vector<std::unique_ptr<StreamCommitter>> committers;
  for (sinks::LiveSink* sink : sinks) {
    committers.push_back(std::make_unique<StreamCommitter>(options.topic, sink, clock, metrics.get(),
                                                           options.pipeline));
  }
  Status st = ReadLoop(stop, targets, consumer.get(), start, committers, stored);
  for (auto& committer : committers) committer->WaitIdle();
  next_lag_refresh_us = 0;  // the gauges show where this session ended
  MaybeRefreshLag(committers, start);
  Status commit_error;
  for (auto& committer : committers) {
    Status e = committer->TakeError();
    if (commit_error.ok()) commit_error = e;
    StreamCommitter::Totals t = committer->totals();
    summary->records += t.records;
    summary->rows += t.rows;
    summary->dead_letters += t.dead_letters;
    summary->batches += t.batches;
  }
  return commit_error.ok() ? st : commit_error;
}

Status Streamer::Impl::ReadLoop(std::stop_token stop, const sinks::PositionMap* targets,
                                bus::Consumer* consumer, sinks::PositionMap read_next,
                                const std::vector<std::unique_ptr<StreamCommitter>>& committers,
                                const sinks::PositionMap& stored) {
  const sinks::PositionMap start = read_next;
  auto reached = [&] {
    if (targets == nullptr) return false;
    for (const auto& [p, target] : *targets) {
      if (read_next[p] < target) return false;
    }
    return true;
  };
  auto any_failed = [&] {
    for (const auto& c : committers) {
      if (c->failed()) return true;
    }
    return false;
  };
  // Per lane: the batch being filled (each lane's batches chain their own
  // positions; a lane only ever touches its own partitions) and when it is due.
  std::vector<StreamBatch> batches(committers.size(), StreamBatch(stored));
  std::vector<int64_t> deadlines(committers.size(), 0);
  auto flush = [&](size_t lane) {
    sinks::PositionMap after = batches[lane].PositionsAfter();
    committers[lane]->Submit(std::move(batches[lane]));
    batches[lane] = StreamBatch(std::move(after));
  };
  while (!stop.stop_requested() && !reached() && !any_failed()) {
    MaybeRefreshLag(committers, start);
    int64_t now = clock->MonotonicMicros();
    int64_t due = INT64_MAX;
    size_t buffered = 0;
    bool flushed = false;
    for (size_t lane = 0; lane < batches.size(); ++lane) {
      if (batches[lane].empty()) continue;
      if (now >= deadlines[lane]) {
        flush(lane);
        flushed = true;
        continue;
      }
      due = std::min(due, deadlines[lane]);
      buffered = std::max(buffered, batches[lane].records());
    }
    if (flushed) continue;
    auto timeout = due == INT64_MAX
                       ? options.idle_poll
                       : std::chrono::ceil<std::chrono::milliseconds>(std::chrono::microseconds(due - now));
    PINPIPE_ASSIGN_OR_RETURN(std::vector<bus::Record> records,
                             consumer->Poll(options.max_batch_records - buffered, timeout));
    for (bus::Record& r : records) {
      bus::Offset& next = read_next[r.partition];
      if (r.offset < next) continue;  // already read (a redelivery)
      if (targets != nullptr) {       // --once drains only what was there at the start
        auto target = targets->find(r.partition);
        if (target == targets->end() || r.offset >= target->second) continue;
      }
      next = r.offset + 1;
      const size_t lane = LaneOf(r.partition);
      StreamBatch& batch = batches[lane];
      if (batch.empty()) deadlines[lane] = clock->MonotonicMicros() + options.max_batch_delay.count();
      batch.Add(std::move(r), &cleaner);
      if (batch.records() >= options.max_batch_records || batch.bytes() >= options.max_batch_bytes) flush(lane);
    }
  }
  for (size_t lane = 0; lane < batches.size(); ++lane) {
    if (!batches[lane].empty()) flush(lane);
  }
  return Status::Ok();
}

void Streamer::Impl::MaybeRefreshLag(const std::vector<std::unique_ptr<StreamCommitter>>& committers,
                                     const sinks::PositionMap& start) {
  int64_t now = clock->MonotonicMicros();
  if (now < next_lag_refresh_us) return;
  next_lag_refresh_us = now + std::chrono::microseconds(options.lag_interval).count();
  auto parts = bus->DescribeTopic(options.topic);
  if (!parts.ok()) return;  // a metric only; the read loop reports bus trouble
  sinks::PositionMap done = start;
  for (size_t lane = 0; lane < committers.size(); ++lane) {
    auto committed = committers[lane]->committed();
    if (!committed) continue;
    for (const auto& [p, o] : *committed) {
      if (LaneOf(p) == lane) done[p] = o;  // other lanes' entries are where this lane started
    }
  }
  for (const bus::PartitionInfo& p : *parts) {
    auto it = done.find(p.partition);
    bus::Offset at = it != done.end() ? it->second : p.start_offset;
    metrics->Lag(p.partition).Set(static_cast<double>(std::max<bus::Offset>(0, p.end_offset - at)));
  }
}

}  // namespace pinpipe::jobs
