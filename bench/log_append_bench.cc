// Benchmark program for the embedded log (bench/20-log.sh drives it). Each
// mode prints one line of key=value results:
//   disk       the disk's own limits: sequential write, fsync'd sequential
//              write, fsyncs/s (one and four files at once)
//   append     durable append throughput, one producer thread, --batch B
//              records per append, a bounded number of appends in flight
//   concurrent --threads T producers, each appending one record and waiting
//   inflight   T single-record producers without a thread each: a producer
//              appends its next record from the callback of its last one
//              (how the API uses the log: one event loop, T requests open)
//   handoff    the same thread pattern with no log: the machine's ceiling for it
//   latency    append->durable latency percentiles at a fixed --rate
//   read       sequential read throughput of what the topic holds
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/log/log_bus.h"
#include "core/log.h"
#include "io/file_system.h"

namespace pinpipe::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct Args {
  std::string mode;
  std::string dir;
  int64_t batch = 1;
  int threads = 64;
  double seconds = 3;
  double rate = 100000;
  size_t size = 640;
  int partitions = bus::kDefaultPartitions;
  int sync_threads = 1;
  int commit_threads = 0;
};

double Since(Steady::time_point t0) { return std::chrono::duration<double>(Steady::now() - t0).count(); }

// CPU seconds (user + system) this process used so far: on a shared machine
// wall-clock rates say as much about the neighbours as about the log.
double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

std::string Uid(uint64_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                static_cast<unsigned long long>((i * 2654435761u) & 0xffffffff),
                static_cast<unsigned long long>(i & 0xffff), static_cast<unsigned long long>(i % 4096),
                static_cast<unsigned long long>((i * 7) % 4096), static_cast<unsigned long long>(i));
  return buf;
}

// ~`size`-byte pin-like records with distinct keys, reused round-robin.
struct Corpus {
  std::vector<std::string> keys;
  std::vector<std::string> values;
  Corpus(size_t n, size_t size) {
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(Uid(i));
      std::string v = "{\"index\":" + std::to_string(i) + ",\"unique_id\":\"" + keys.back() + "\",\"title\":\"";
      while (v.size() + 22 < size) v += static_cast<char>('a' + (i * 31 + v.size()) % 26);
      values.push_back(v + "\",\"category\":\"art\"}");
    }
  }
  bus::Message At(uint64_t i) const {
    size_t k = i % keys.size();
    return {.key = keys[k], .value = values[k], .timestamp = 0};
  }
};

// --- disk -------------------------------------------------------------------

double WriteLoop(const std::string& path, size_t chunk, bool sync_each, double seconds, uint64_t* ops) {
  auto file = *io::PosixFileSystem()->NewWritableFile(path);
  std::string data(chunk, 'x');
  auto t0 = Steady::now();
  uint64_t n = 0;
  while (Since(t0) < seconds) {
    if (!file->Append(data).ok()) break;
    if (sync_each && !file->Sync().ok()) break;
    ++n;
  }
  if (!sync_each) (void)file->Sync();
  double t = Since(t0);
  (void)io::PosixFileSystem()->Remove(path);
  *ops = n;
  return static_cast<double>(n) * static_cast<double>(chunk) / t / 1e6;
}

int RunDisk(const Args& a) {
  uint64_t ops = 0;
  double seq = WriteLoop(a.dir + "/seq", 1 << 20, false, a.seconds, &ops);
  double synced_1m = WriteLoop(a.dir + "/sync1m", 1 << 20, true, a.seconds, &ops);
  double synced_640k = WriteLoop(a.dir + "/sync640k", 640000, true, a.seconds, &ops);
  double t = a.seconds;
  WriteLoop(a.dir + "/small", 640, true, t, &ops);
  double fsyncs = static_cast<double>(ops) / t;
  std::atomic<uint64_t> parallel{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      uint64_t n = 0;
      WriteLoop(a.dir + "/par" + std::to_string(i), 640, true, t, &n);
      parallel += n;
    });
  }
  for (auto& th : threads) th.join();
  std::printf("seq_write_mb_s=%.1f fsynced_seq_1m_mb_s=%.1f fsynced_seq_640k_mb_s=%.1f fsyncs_per_s=%.0f "
              "fsyncs_per_s_4files=%.0f\n",
              seq, synced_1m, synced_640k, fsyncs, static_cast<double>(parallel.load()) / t);
  return 0;
}

// --- log helpers ----------------------------------------------------------------

std::unique_ptr<bus::log::LogBus> OpenLog(const Args& a) {
  bus::log::LogOptions options;
  options.dir = a.dir;
  options.default_partitions = a.partitions;
  options.sync_threads = a.sync_threads;
  options.commit_threads = a.commit_threads;
  auto bus = bus::log::LogBus::Open(options);
  if (!bus.ok()) {
    std::fprintf(stderr, "%s\n", bus.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(bus).value();
}

// Counts what is in flight and what completed; wakes waiters.
struct Tracker {
  std::mutex mu;
  std::condition_variable cv;
  int64_t in_flight = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  void Done(const Result<std::vector<bus::Position>>& r, size_t n, size_t b) {
    std::lock_guard lock(mu);
    --in_flight;
    if (r.ok()) {
      records += n;
      bytes += b;
    } else {
      ++errors;
    }
    cv.notify_all();
  }
};

int RunAppend(const Args& a) {
  auto bus = OpenLog(a);
  auto producer = *bus->NewProducer("pins");
  Corpus corpus(20000, a.size);
  const int64_t window = std::clamp<int64_t>((32 << 20) / (a.batch * static_cast<int64_t>(a.size)), 2, 1024);
  Tracker t;
  std::vector<bus::Message> batch;
  uint64_t next = 0;
  const double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  while (Since(t0) < a.seconds) {
    batch.clear();
    size_t bytes = 0;
    for (int64_t i = 0; i < a.batch; ++i) {
      batch.push_back(corpus.At(next++));
      bytes += batch.back().value.size();
    }
    {
      std::unique_lock lock(t.mu);
      t.cv.wait(lock, [&] { return t.in_flight < window; });
      ++t.in_flight;
    }
    producer->Append(batch, [&t, n = batch.size(), bytes](Result<std::vector<bus::Position>> r) { t.Done(r, n, bytes); });
  }
  (void)producer->Flush(std::chrono::minutes(5));
  double secs = Since(t0);
  std::printf("batch=%lld inflight=%lld records=%llu seconds=%.2f records_s=%.0f mb_s=%.1f cpu_s=%.2f errors=%llu\n",
              static_cast<long long>(a.batch), static_cast<long long>(window),
              static_cast<unsigned long long>(t.records), secs, static_cast<double>(t.records) / secs,
              static_cast<double>(t.bytes) / secs / 1e6, CpuSeconds() - cpu0, static_cast<unsigned long long>(t.errors));
  return t.errors == 0 ? 0 : 1;
}

// The result line of the `concurrent` and `inflight` modes; exit status.
int PrintProducers(const char* label, const Args& a, uint64_t records, uint64_t errors, double secs, double cpu_s) {
  std::printf("%s=%d records=%llu seconds=%.2f records_s=%.0f mb_s=%.1f cpu_s=%.2f errors=%llu\n", label, a.threads,
              static_cast<unsigned long long>(records), secs, static_cast<double>(records) / secs,
              static_cast<double>(records * a.size) / secs / 1e6, cpu_s, static_cast<unsigned long long>(errors));
  return errors == 0 ? 0 : 1;
}

int RunConcurrent(const Args& a) {
  auto bus = OpenLog(a);
  auto producer = *bus->NewProducer("pins");
  Corpus corpus(20000, a.size);
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> errors{0};
  const double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (int th = 0; th < a.threads; ++th) {
    threads.emplace_back([&, th] {
      std::mutex mu;
      std::condition_variable cv;
      for (uint64_t i = static_cast<uint64_t>(th); Since(t0) < a.seconds; i += static_cast<uint64_t>(a.threads)) {
        bool done = false;
        bus::Message m = corpus.At(i);
        producer->Append(std::span<const bus::Message>(&m, 1), [&](Result<std::vector<bus::Position>> r) {
          if (!r.ok()) errors++;
          {
            std::lock_guard lock(mu);
            done = true;
          }
          cv.notify_one();  // after unlocking, so the woken thread does not block on mu (mu, cv outlive the loop)
        });
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return done; });
        records++;
      }
    });
  }
  for (auto& th : threads) th.join();
  return PrintProducers("threads", a, records.load(), errors.load(), Since(t0), CpuSeconds() - cpu0);
}

int RunInflight(const Args& a) {
  auto bus = OpenLog(a);
  auto producer = *bus->NewProducer("pins");
  Corpus corpus(20000, a.size);
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> errors{0};
  std::mutex mu;
  std::condition_variable cv;
  int active = a.threads;
  const double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  // Producer `i mod T`: append record i; once durable, append record i + T.
  std::function<void(uint64_t)> issue = [&](uint64_t i) {
    bus::Message m = corpus.At(i);
    producer->Append(std::span<const bus::Message>(&m, 1), [&, i](Result<std::vector<bus::Position>> r) {
      if (r.ok()) {
        records++;
      } else {
        errors++;
      }
      if (r.ok() && Since(t0) < a.seconds) {
        issue(i + static_cast<uint64_t>(a.threads));
        return;
      }
      std::lock_guard lock(mu);
      if (--active == 0) cv.notify_all();
    });
  };
  for (int p = 0; p < a.threads; ++p) issue(static_cast<uint64_t>(p));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return active == 0; });
  }
  return PrintProducers("producers", a, records.load(), errors.load(), Since(t0), CpuSeconds() - cpu0);
}

// The machine's own ceiling for the `concurrent` pattern without any log:
// T threads each hand one request to a server thread and block until it
// answers; the server answers whole batches at once (as group commit does),
// doing no I/O. What is left is the cost of waking threads.
int RunHandoff(const Args& a) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  std::mutex qmu;
  std::condition_variable qcv;
  std::vector<Waiter*> queue;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> served{0};
  std::thread server([&] {
    std::vector<Waiter*> batch;
    while (!stop.load()) {
      {
        std::unique_lock lock(qmu);
        qcv.wait_for(lock, std::chrono::milliseconds(10), [&] { return !queue.empty(); });
        batch.swap(queue);
      }
      for (Waiter* w : batch) {
        {
          std::lock_guard lock(w->mu);
          w->done = true;
        }
        w->cv.notify_one();
      }
      served += batch.size();
      batch.clear();
    }
  });
  const double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (int th = 0; th < a.threads; ++th) {
    threads.emplace_back([&] {
      Waiter w;
      while (Since(t0) < a.seconds) {
        w.done = false;
        bool was_empty;
        {
          std::lock_guard lock(qmu);
          was_empty = queue.empty();
          queue.push_back(&w);
        }
        if (was_empty) qcv.notify_one();
        std::unique_lock lock(w.mu);
        w.cv.wait(lock, [&] { return w.done; });
      }
    });
  }
  for (auto& th : threads) th.join();
  stop = true;
  qcv.notify_one();
  server.join();
  double secs = Since(t0);
  std::printf("threads=%d handoffs=%llu seconds=%.2f handoffs_s=%.0f cpu_s=%.2f\n", a.threads,
              static_cast<unsigned long long>(served.load()), secs, static_cast<double>(served.load()) / secs,
              CpuSeconds() - cpu0);
  return 0;
}

int RunLatency(const Args& a) {
  auto bus = OpenLog(a);
  auto producer = *bus->NewProducer("pins");
  Corpus corpus(20000, a.size);
  std::mutex mu;
  std::vector<int64_t> micros;
  micros.reserve(static_cast<size_t>(a.rate * a.seconds) + 1000);
  std::atomic<uint64_t> errors{0};
  const auto tick = std::chrono::microseconds(1000);
  const double per_tick = a.rate / 1000.0;
  auto t0 = Steady::now();
  double owed = 0;
  uint64_t sent = 0;
  for (auto next = t0; Since(t0) < a.seconds; next += tick) {
    std::this_thread::sleep_until(next);
    owed += per_tick;
    for (; owed >= 1; owed -= 1) {
      bus::Message m = corpus.At(sent++);
      auto start = Steady::now();
      producer->Append(std::span<const bus::Message>(&m, 1), [&, start](Result<std::vector<bus::Position>> r) {
        int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - start).count();
        if (!r.ok()) errors++;
        std::lock_guard lock(mu);
        micros.push_back(us);
      });
    }
  }
  (void)producer->Flush(std::chrono::minutes(5));
  double secs = Since(t0);
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) {
    return micros.empty() ? 0.0 : static_cast<double>(micros[std::min(micros.size() - 1, static_cast<size_t>(p * micros.size()))]) / 1000.0;
  };
  std::printf("target_rate=%.0f achieved_rate=%.0f records=%zu p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f "
              "max_ms=%.2f errors=%llu\n",
              a.rate, static_cast<double>(micros.size()) / secs, micros.size(), pct(0.5), pct(0.9), pct(0.99),
              pct(0.999), micros.empty() ? 0.0 : static_cast<double>(micros.back()) / 1000.0,
              static_cast<unsigned long long>(errors.load()));
  return 0;  // rejections (kResourceExhausted) are reported, not fatal: the load is open-loop
}

int RunRead(const Args& a) {
  auto bus = OpenLog(a);
  auto infos = *bus->DescribeTopic("pins");
  auto consumer = *bus->NewConsumer("pins");
  std::map<bus::PartitionId, bus::Offset> from;
  int64_t total = 0;
  for (const auto& i : infos) {
    from[i.partition] = i.start_offset;
    total += i.end_offset - i.start_offset;
  }
  if (!consumer->Assign(from).ok()) return 1;
  uint64_t records = 0;
  uint64_t bytes = 0;
  const double cpu0 = CpuSeconds();
  auto t0 = Steady::now();
  while (static_cast<int64_t>(records) < total) {
    auto got = consumer->Poll(4096, std::chrono::seconds(1));
    if (!got.ok() || got->empty()) break;
    for (const auto& r : *got) bytes += r.value.size() + r.key.size();
    records += got->size();
  }
  double secs = Since(t0);
  std::printf("records=%llu seconds=%.2f records_s=%.0f mb_s=%.1f cpu_s=%.2f\n", static_cast<unsigned long long>(records),
              secs, static_cast<double>(records) / secs, static_cast<double>(bytes) / secs / 1e6, CpuSeconds() - cpu0);
  return static_cast<int64_t>(records) == total ? 0 : 1;
}

int Main(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: log_append_bench disk|append|concurrent|inflight|handoff|latency|read --dir D [--batch B] "
                         "[--threads T] [--seconds S] [--rate R] [--size BYTES] [--partitions P]\n");
    return 2;
  }
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--dir") a.dir = v;
    else if (k == "--batch") a.batch = std::atoll(v);
    else if (k == "--threads") a.threads = std::atoi(v);
    else if (k == "--seconds") a.seconds = std::atof(v);
    else if (k == "--rate") a.rate = std::atof(v);
    else if (k == "--size") a.size = static_cast<size_t>(std::atoll(v));
    else if (k == "--partitions") a.partitions = std::atoi(v);
    else if (k == "--sync-threads") a.sync_threads = std::atoi(v);
    else if (k == "--commit-threads") a.commit_threads = std::atoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.dir.empty()) return 2;
  core::InitLogging({.level = "warn"});
  if (a.mode == "disk") return RunDisk(a);
  if (a.mode == "append") return RunAppend(a);
  if (a.mode == "concurrent") return RunConcurrent(a);
  if (a.mode == "inflight") return RunInflight(a);
  if (a.mode == "latency") return RunLatency(a);
  if (a.mode == "handoff") return RunHandoff(a);
  if (a.mode == "read") return RunRead(a);
  std::fprintf(stderr, "unknown mode %s\n", a.mode.c_str());
  return 2;
}

}  // namespace
}  // namespace pinpipe::bench

int main(int argc, char** argv) { return pinpipe::bench::Main(argc, argv); }
