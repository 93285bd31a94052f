// Taking records for a request, under one lock; open-loop pacing slots.
#include "emulate/run_state.h"

namespace pinpipe::emulate {

RunState::RunState(const EmulatorOptions& options, RecordSource* source, const EmulatorHooks& hooks)
    : options_(options), hooks_(hooks), start_(std::chrono::steady_clock::now()), source_(source) {}

bool RunState::Take(PendingRequest* req) {
  if (hooks_.cancel != nullptr && hooks_.cancel->load()) return false;
  auto now = std::chrono::steady_clock::now();
  const bool timed = options_.duration_ms > 0;
  const SteadyTime deadline = start_ + std::chrono::milliseconds(options_.duration_ms);
  // Unpaced runs stop at the deadline; paced ones send every slot due
  // before it, late or not (lateness shows in the latency).
  if (timed && options_.rate <= 0 && now >= deadline) return false;
  req->body.clear();
  req->spans.clear();
  req->records = 0;
  std::lock_guard lock(source_mu_);
  req->scheduled = now;
  if (options_.rate > 0) {
    // Record k is due at start + k / rate, whether or not earlier answers came back.
    auto due = std::chrono::duration<double>(static_cast<double>(issued_) / options_.rate);
    req->scheduled = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(due);
    if (timed && req->scheduled >= deadline) return false;  // its slot lies after the run
  }
  int64_t want = options_.batch;
  if (options_.count >= 0) want = std::min<int64_t>(want, options_.count - issued_);
  while (!ended_ && req->records < want) {
    record_.clear();
    if (!source_->Next(&record_)) {
      ended_ = true;
      break;
    }
    size_t begin = req->body.size();
    req->body.append(record_);
    if (options_.want_acks) req->spans.emplace_back(begin, record_.size());
    if (options_.batch > 1) req->body.push_back('\n');
    ++req->records;
  }
  issued_ += req->records;
  return req->records > 0;
}

EmulatorCounts RunState::Snapshot() const {
  EmulatorCounts c;
  c.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  c.requests = requests.load();
  c.records_sent = records_sent.load();
  c.accepted = accepted.load();
  c.rejected = rejected.load();
  c.failed = failed.load();
  c.failed_requests = failed_requests.load();
  c.throttled = throttled.load();
  c.http_errors = http_errors.load();
  return c;
}

void RunState::Ack(const emulate::Ack& ack) {
  if (!hooks_.on_ack) return;
  std::lock_guard lock(ack_mu_);
  hooks_.on_ack(ack);
}

}  // namespace pinpipe::emulate
