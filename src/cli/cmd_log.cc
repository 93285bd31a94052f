// `pinpipe log create|describe|produce|cat|verify`: operate and inspect the
// bus (spec/cli.md). One file for the five small subcommands, as their shared
// pieces (flag wiring, output buffering, JSON quoting) are small too.
#include <simdjson.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/log/log_verify.h"
#include "bus/open_bus.h"
#include "cli/bus_flags.h"
#include "cli/command.h"
#include "core/clock.h"
#include "io/file_system.h"

namespace pinpipe::cli {
namespace {

constexpr char kLogCommand[] = "log";
constexpr size_t kFlushBytes = 1 << 20;

struct LogFlags {
  BusFlags bus;
  bool json = false;           // describe
  int64_t batch = 1000;        // produce: records per append
  int32_t partition = -1;      // cat: -1 = every partition
  int64_t from = -1;           // cat: -1 = each partition's start
  int64_t count = -1;          // cat: -1 = all
  bool with_meta = false;      // cat
  bool all_topics = false;     // verify
};

// Buffered stdout through io::FileSystem.
class Out {
 public:
  Out() : file_(io::StdoutFile()) { buf_.reserve(kFlushBytes + 4096); }
  std::string& buf() { return buf_; }
  Status MaybeFlush() { return buf_.size() >= kFlushBytes ? Flush() : Status::Ok(); }
  Status Flush() {
    Status st = file_->Append(buf_);
    buf_.clear();
    return st;
  }

 private:
  std::unique_ptr<io::WritableFile> file_;
  std::string buf_;
};

std::string Humanize(uint64_t bytes) {
  char buf[32];
  if (bytes < 10'000) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < 10'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(bytes) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  }
  return buf;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one.
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

// Appends `s` as a JSON string. Invalid UTF-8 bytes become U+FFFD each.
void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': *out += "\\\""; break;
        case '\\': *out += "\\\\"; break;
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        case '\b': *out += "\\b"; break;
        case '\f': *out += "\\f"; break;
        default:
          if (c < 0x20) {
            *out += "\\u00";
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      *out += "\\ufffd";
      ++i;
    } else {
      out->append(s.substr(i, n));
      i += n;
    }
  }
  out->push_back('"');
}

Result<std::unique_ptr<bus::Bus>> Open(const LogFlags& flags, const GlobalOptions& globals) {
  PINPIPE_ASSIGN_OR_RETURN(bus::BusOptions options, MakeBusOptions(flags.bus, globals));
  return bus::OpenBus(options);
}

int RunCreate(const LogFlags& flags, const GlobalOptions& globals) {
  auto bus = Open(flags, globals);
  if (!bus.ok()) return ReportError(kLogCommand, bus.status());
  Status st = (*bus)->CreateTopic(flags.bus.topic, flags.bus.partitions);
  if (!st.ok()) return ReportError(kLogCommand, st);
  std::fprintf(stderr, "log: topic %s has %d partitions\n", flags.bus.topic.c_str(), flags.bus.partitions);
  return kExitOk;
}

int RunDescribe(const LogFlags& flags, const GlobalOptions& globals) {
  auto bus = Open(flags, globals);
  if (!bus.ok()) return ReportError(kLogCommand, bus.status());
  auto infos = (*bus)->DescribeTopic(flags.bus.topic);
  if (!infos.ok()) return ReportError(kLogCommand, infos.status());
  Out out;
  std::string& o = out.buf();
  int64_t records = 0;
  uint64_t bytes = 0;
  for (const bus::PartitionInfo& i : *infos) {
    records += i.end_offset - i.start_offset;
    bytes += i.bytes;
  }
  if (flags.json) {
    o += "{\"topic\":";
    AppendJsonString(&o, flags.bus.topic);
    o += ",\"records\":" + std::to_string(records) + ",\"bytes\":" + std::to_string(bytes) + ",\"partitions\":[";
    for (size_t k = 0; k < infos->size(); ++k) {
      const bus::PartitionInfo& i = (*infos)[k];
      if (k > 0) o += ',';
      o += "{\"partition\":" + std::to_string(i.partition) + ",\"start_offset\":" + std::to_string(i.start_offset) +
           ",\"end_offset\":" + std::to_string(i.end_offset) +
           ",\"records\":" + std::to_string(i.end_offset - i.start_offset) + ",\"bytes\":" + std::to_string(i.bytes) +
           "}";
    }
    o += "]}\n";
  } else {
    char line[160];
    std::snprintf(line, sizeof line, "topic %s: %zu partitions, %lld records, %s\n", flags.bus.topic.c_str(),
                  infos->size(), static_cast<long long>(records), Humanize(bytes).c_str());
    o += line;
    o += "partition  start_offset    end_offset       records         bytes\n";
    for (const bus::PartitionInfo& i : *infos) {
      std::snprintf(line, sizeof line, "%9d  %12lld  %12lld  %12lld  %12llu\n", i.partition,
                    static_cast<long long>(i.start_offset), static_cast<long long>(i.end_offset),
                    static_cast<long long>(i.end_offset - i.start_offset), static_cast<unsigned long long>(i.bytes));
      o += line;
    }
  }
  Status st = out.Flush();
  return st.ok() ? kExitOk : ReportError(kLogCommand, st);
}

// ---- produce ---------------------------------------------------------------

// The unique_id of an NDJSON line, trimmed of ASCII whitespace and
// lower-cased (the clean form of a UUID); empty when absent or not a string.
// `line` must have SIMDJSON_PADDING readable bytes after it.
std::string KeyOf(simdjson::ondemand::parser& parser, std::string_view line, size_t capacity) {
  simdjson::padded_string_view view(line.data(), line.size(), capacity);
  simdjson::ondemand::document doc;
  if (parser.iterate(view).get(doc) != simdjson::SUCCESS) return "";
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return "";
  std::string_view id;
  if (obj.find_field_unordered("unique_id").get_string().get(id) != simdjson::SUCCESS) return "";
  while (!id.empty() && (id.front() == ' ' || (id.front() >= '\t' && id.front() <= '\r'))) id.remove_prefix(1);
  while (!id.empty() && (id.back() == ' ' || (id.back() >= '\t' && id.back() <= '\r'))) id.remove_suffix(1);
  std::string key(id);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

// One Append's worth of lines; owns the bytes until its callback.
struct ProduceBatch {
  std::vector<std::string> keys;
  std::vector<std::string> values;
  uint64_t bytes = 0;
};

// Appends batches in order with a bounded window (so the log's queue never
// overflows) and remembers the first failure.
class BatchSender {
 public:
  explicit BatchSender(bus::Producer* producer) : producer_(producer) {}
  void Send(std::unique_ptr<ProduceBatch> batch) {
    std::vector<bus::Message> messages;
    messages.reserve(batch->values.size());
    for (size_t i = 0; i < batch->values.size(); ++i) messages.push_back({.key = batch->keys[i], .value = batch->values[i]});
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < kWindow; });
    ++in_flight_;
    lock.unlock();
    const size_t n = messages.size();
    const uint64_t bytes = batch->bytes;
    producer_->Append(messages, [this, n, bytes](Result<std::vector<bus::Position>> r) {
      std::lock_guard guard(mu_);
      --in_flight_;
      if (r.ok()) {
        durable_records_ += static_cast<int64_t>(n);
        durable_bytes_ += bytes;
      } else if (error_.ok()) {
        error_ = r.status();
      }
      cv_.notify_all();
    });
  }
  // Waits for every batch; the first error, if any.
  Status Finish() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
    return error_;
  }
  Status error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  int64_t durable_records() const { return durable_records_; }
  uint64_t durable_bytes() const { return durable_bytes_; }

 private:
  static constexpr int kWindow = 8;  // x (1000 records or 4 MiB) stays far below the log's 64 MiB queue
  bus::Producer* producer_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  Status error_;
  int64_t durable_records_ = 0;
  uint64_t durable_bytes_ = 0;
};

// Splits stdin into lines and hands them to `on_line(line, padded capacity)`.
template <typename OnLine>
Status ForEachLine(io::SequentialFile* in, OnLine on_line) {
  std::string buf;
  size_t start = 0;
  size_t end = 0;
  constexpr size_t kChunk = 4 << 20;
  for (bool eof = false; !eof;) {
    if (start > 0) {  // move the partial line to the front
      buf.erase(0, start);
      end -= start;
      start = 0;
    }
    buf.resize(std::max(buf.size(), end + kChunk + simdjson::SIMDJSON_PADDING));
    PINPIPE_ASSIGN_OR_RETURN(size_t got, in->Read(std::span<char>(buf.data() + end, kChunk)));
    eof = got == 0;
    end += got;
    for (;;) {
      size_t nl = std::string_view(buf.data() + start, end - start).find('\n');
      if (nl == std::string_view::npos) {
        if (!eof || start == end) break;
        nl = end - start;  // last line without a newline
      }
      PINPIPE_RETURN_IF_ERROR(on_line(std::string_view(buf.data() + start, nl), buf.size() - start));
      start = std::min(end, start + nl + 1);
      if (start == end) break;
    }
  }
  return Status::Ok();
}

int RunProduce(const LogFlags& flags, const GlobalOptions& globals) {
  if (flags.batch < 1) return UsageError(kLogCommand, "--batch must be at least 1");
  auto bus = Open(flags, globals);
  if (!bus.ok()) return ReportError(kLogCommand, bus.status());
  auto producer = (*bus)->NewProducer(flags.bus.topic);
  if (!producer.ok()) return ReportError(kLogCommand, producer.status());
  const int64_t started = RealClock()->MonotonicMicros();
  BatchSender sender(producer->get());
  simdjson::ondemand::parser parser;
  auto batch = std::make_unique<ProduceBatch>();
  int64_t lines = 0;
  auto in = io::StdinFile();
  Status st = ForEachLine(in.get(), [&](std::string_view line, size_t capacity) -> Status {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::Ok();  // blank
    batch->keys.push_back(KeyOf(parser, line, capacity));
    batch->values.emplace_back(line);
    batch->bytes += line.size();
    ++lines;
    if (static_cast<int64_t>(batch->values.size()) >= flags.batch || batch->bytes >= (4u << 20)) {
      sender.Send(std::move(batch));
      batch = std::make_unique<ProduceBatch>();
      return sender.error();
    }
    return Status::Ok();
  });
  if (st.ok() && !batch->values.empty()) sender.Send(std::move(batch));
  Status sent = sender.Finish();
  if (st.ok()) st = sent;
  if (st.ok()) st = (*producer)->Flush(std::chrono::milliseconds::max());
  const double seconds = static_cast<double>(RealClock()->MonotonicMicros() - started) / 1e6;
  std::fprintf(stderr, "log: produced %lld of %lld records (%s) to topic %s, durable (sync=%s), in %.2f s, %.0f records/s\n",
               static_cast<long long>(sender.durable_records()), static_cast<long long>(lines),
               Humanize(sender.durable_bytes()).c_str(), flags.bus.topic.c_str(), flags.bus.sync.c_str(), seconds,
               static_cast<double>(sender.durable_records()) / std::max(seconds, 1e-6));
  return st.ok() ? kExitOk : ReportError(kLogCommand, st);
}

// ---- cat ---------------------------------------------------------------------

void AppendRecord(const bus::Record& r, bool with_meta, std::string* o) {
  if (!with_meta) {
    o->append(r.value);
    o->push_back('\n');
    return;
  }
  *o += "{\"partition\":" + std::to_string(r.partition) + ",\"offset\":" + std::to_string(r.offset) +
        ",\"timestamp\":\"" + FormatRfc3339Micros(r.timestamp) + "\",\"key\":";
  AppendJsonString(o, r.key);
  *o += ",\"value\":";
  AppendJsonString(o, r.value);
  *o += "}\n";
}

int RunCat(const LogFlags& flags, const GlobalOptions& globals) {
  auto bus = Open(flags, globals);
  if (!bus.ok()) return ReportError(kLogCommand, bus.status());
  auto infos = (*bus)->DescribeTopic(flags.bus.topic);
  if (!infos.ok()) return ReportError(kLogCommand, infos.status());
  if (flags.partition >= static_cast<int32_t>(infos->size())) {
    return UsageError(kLogCommand, "--partition " + std::to_string(flags.partition) + " does not exist (topic " +
                                    flags.bus.topic + " has " + std::to_string(infos->size()) + " partitions)");
  }
  auto consumer = (*bus)->NewConsumer(flags.bus.topic);
  if (!consumer.ok()) return ReportError(kLogCommand, consumer.status());
  Out out;
  int64_t left = flags.count < 0 ? INT64_MAX : flags.count;
  for (const bus::PartitionInfo& info : *infos) {
    if (flags.partition >= 0 && info.partition != flags.partition) continue;
    const bus::Offset from = flags.from >= 0 ? flags.from : info.start_offset;
    Status st = (*consumer)->Assign({{info.partition, from}});
    // Reads up to the end as it was when cat started.
    for (bus::Offset next = from; st.ok() && left > 0 && next < info.end_offset;) {
      auto got = (*consumer)->Poll(static_cast<size_t>(std::min<int64_t>(left, 1000)), std::chrono::seconds(5));
      if (!got.ok()) {
        st = got.status();
        break;
      }
      for (const bus::Record& r : *got) {
        if (r.offset >= info.end_offset || left == 0) break;
        AppendRecord(r, flags.with_meta, &out.buf());
        next = r.offset + 1;
        --left;
      }
      if (st.ok()) st = out.MaybeFlush();
      if (got->empty()) st = Status::Unavailable("no records arrived for partition " + std::to_string(info.partition));
    }
    if (st.ok() && from > info.end_offset) {
      st = Status::OutOfRange("--from " + std::to_string(from) + " is beyond partition " +
                              std::to_string(info.partition) + "'s end offset " + std::to_string(info.end_offset));
    }
    if (!st.ok()) {
      (void)out.Flush();
      return ReportError(kLogCommand, st);
    }
  }
  Status st = out.Flush();
  return st.ok() ? kExitOk : ReportError(kLogCommand, st);
}

// ---- verify ------------------------------------------------------------------

int RunVerify(const LogFlags& flags, const GlobalOptions& globals) {
  std::string url = flags.bus.bus.empty() ? DefaultBusUrl(globals) : flags.bus.bus;
  if (url.rfind("log:", 0) != 0) return UsageError(kLogCommand, "verify checks the embedded log: use --bus log:<dir>");
  std::string root = url.substr(4);
  if (root.rfind("//", 0) == 0) root = root.substr(2);
  io::FileSystem* fs = io::PosixFileSystem();
  std::vector<std::string> topics = {flags.bus.topic};
  if (flags.all_topics) {
    auto listed = bus::log::ListTopics(fs, root);
    if (!listed.ok()) return ReportError(kLogCommand, listed.status());
    topics = *listed;
  }
  bool corrupt = false;
  for (const std::string& topic : topics) {
    auto report = bus::log::VerifyTopic(fs, root, topic);
    if (!report.ok()) return ReportError(kLogCommand, report.status());
    int64_t records = 0;
    uint64_t bytes = 0;
    for (const bus::log::PartitionSummary& p : report->partitions) {
      std::printf("verify %s: partition %d: %d segments, offsets %lld..%lld, %lld records, %s\n", topic.c_str(),
                  p.partition, p.segments, static_cast<long long>(p.start_offset), static_cast<long long>(p.end_offset),
                  static_cast<long long>(p.records), Humanize(p.bytes).c_str());
      records += p.records;
      bytes += p.bytes;
    }
    for (const bus::log::VerifyIssue& i : report->issues) {
      std::printf("%s %s position %llu: %s\n", i.corruption ? "CORRUPT" : "note", i.file.c_str(),
                  static_cast<unsigned long long>(i.position), i.problem.c_str());
    }
    std::printf("verify %s: %zu partitions, %lld records, %s: %s\n", topic.c_str(), report->partitions.size(),
                static_cast<long long>(records), Humanize(bytes).c_str(), report->ok() ? "OK" : "CORRUPT");
    corrupt = corrupt || !report->ok();
  }
  std::fflush(stdout);
  if (corrupt) {
    std::fprintf(stderr, "pinpipe log: corruption found (see CORRUPT lines); docs/log-format.md says how to recover\n");
    return kExitFailure;
  }
  return kExitOk;
}

// ---- wiring ------------------------------------------------------------------

std::pair<CLI::App*, RunFn> SetupLog(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<LogFlags>();
  CLI::App* log = app.add_subcommand(kLogCommand, "Operate and inspect the bus: create, describe, produce, cat, verify");
  log->require_subcommand(1);
  log->footer("Example:\n  pinpipe gen --count 1000 | pinpipe log produce && pinpipe log describe");

  CLI::App* create = log->add_subcommand("create", "Create a topic with --partitions P (default topic pins)");
  AddBusFlags(create, &flags->bus);
  create->footer("Creating an existing topic with the same count is a no-op; another count is an error.\n"
                 "Example:\n  pinpipe log create --topic pins --partitions 8");

  CLI::App* describe = log->add_subcommand("describe", "Show a topic's partitions: start/end offsets, records, bytes");
  AddBusFlags(describe, &flags->bus);
  describe->add_flag("--json", flags->json, "One JSON object instead of a table");
  describe->footer("Example:\n  pinpipe log describe --topic pins --json");

  CLI::App* produce = log->add_subcommand(
      "produce", "Append NDJSON lines from stdin, keyed by unique_id; exits when all are durable");
  AddBusFlags(produce, &flags->bus);
  produce->add_option("--batch", flags->batch, "Records per append")->capture_default_str();
  produce->footer("Each non-blank line is one record, its bytes kept verbatim; its key is the trimmed,\n"
                  "lower-cased unique_id (empty when absent: partition 0). Exit 0 only when every line\n"
                  "read is durable per --sync.\n"
                  "Example:\n  pinpipe gen --count 100000 | pinpipe log produce --topic pins --sync always");

  CLI::App* cat = log->add_subcommand("cat", "Print records: one value per line, or JSON with --with-meta");
  AddBusFlags(cat, &flags->bus);
  cat->add_option("--partition", flags->partition, "Only this partition (default: all, in partition order)");
  cat->add_option("--from", flags->from, "First offset to print in each partition (default: its start)");
  cat->add_option("--count", flags->count, "Print at most this many records in all");
  cat->add_flag("--with-meta", flags->with_meta,
                "Print {\"partition\",\"offset\",\"timestamp\",\"key\",\"value\"} per line (value as a JSON "
                "string; invalid UTF-8 bytes become \\ufffd)");
  cat->footer("Prints what is in the log when cat starts, then exits.\n"
              "Example:\n  pinpipe log cat --partition 0 --from 100 --count 5 --with-meta");

  CLI::App* verify = log->add_subcommand(
      "verify", "Check every segment (checksums, offsets, indexes); exit 1 naming file and byte position");
  AddBusFlags(verify, &flags->bus);
  verify->add_flag("--all-topics", flags->all_topics, "Verify every topic in the log directory");
  verify->footer("A torn tail at the very end of a partition (a write cut short by a crash) is a note,\n"
                 "not corruption: the writer cuts it when it next opens.\n"
                 "Example:\n  pinpipe log verify --bus log:./pinpipe-data/log --all-topics");

  RunFn run = [flags, &globals, create, describe, produce, cat, verify]() -> int {
    if (create->parsed()) return RunCreate(*flags, globals);
    if (describe->parsed()) return RunDescribe(*flags, globals);
    if (produce->parsed()) return RunProduce(*flags, globals);
    if (cat->parsed()) return RunCat(*flags, globals);
    if (verify->parsed()) return RunVerify(*flags, globals);
    return UsageError(kLogCommand, "choose create, describe, produce, cat or verify");
  };
  return {log, run};
}

PINPIPE_REGISTER_COMMAND(30, SetupLog);

}  // namespace
}  // namespace pinpipe::cli
