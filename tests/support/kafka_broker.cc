// Real Kafka for tests: Maven fetches the broker's jars once (cached, under
// a lock), then StorageTool formats a KRaft log dir and kafka.Kafka runs it.
#include "kafka_broker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace pinpipe::testing {
namespace {

namespace fs = std::filesystem;

std::string Tail(const std::string& text, size_t n = 4000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// A Kafka cluster id: 16 random bytes, base64url without padding.
std::string RandomClusterId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  unsigned char bytes[16];
  for (unsigned char& b : bytes) b = static_cast<unsigned char>(rd());
  std::string out;
  int bits = 0;
  uint32_t acc = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(acc >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;  // 22 characters
}

std::string ServerProperties(const std::string& dir, int port, int controller_port) {
  std::string p = std::to_string(port), c = std::to_string(controller_port);
  return "process.roles=broker,controller\n"
         "node.id=1\n"
         "controller.quorum.voters=1@127.0.0.1:" +
         c +
         "\n"
         "listeners=PLAINTEXT://127.0.0.1:" +
         p + ",CONTROLLER://127.0.0.1:" + c +
         "\n"
         "advertised.listeners=PLAINTEXT://127.0.0.1:" +
         p +
         "\n"
         "controller.listener.names=CONTROLLER\n"
         "inter.broker.listener.name=PLAINTEXT\n"
         "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
         "log.dirs=" +
         dir +
         "/data\n"
         "num.partitions=1\n"
         "num.network.threads=2\n"
         "num.io.threads=2\n"
         "auto.create.topics.enable=false\n"
         "offsets.topic.replication.factor=1\n"
         "offsets.topic.num.partitions=1\n"
         "transaction.state.log.replication.factor=1\n"
         "transaction.state.log.min.isr=1\n"
         "transaction.state.log.num.partitions=1\n"
         "group.initial.rebalance.delay.ms=0\n";
}

constexpr char kLog4j[] =
    "log4j.rootLogger=INFO, stdout\n"
    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n";

// Holds an exclusive flock for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

std::string EnsureKafkaJars(const KafkaBrokerOptions& options) {
  std::string cache = options.cache_dir;
  if (cache.empty()) {
    const char* home = std::getenv("HOME");
    cache = std::string(home != nullptr && *home != '\0' ? home : "/tmp") + "/.cache/pinpipe/kafka-" +
            options.version;
  }
  std::string jars = cache + "/jars";
  std::string marker = cache + "/jars.complete";
  std::error_code ec;
  fs::create_directories(cache, ec);
  if (fs::exists(marker)) return jars;
  FileLock lock(cache + "/.lock");  // a concurrent run may be fetching: wait for it
  if (!lock.ok()) {
    ADD_FAILURE() << "cannot lock " << cache << "/.lock";
    return "";
  }
  if (fs::exists(marker)) return jars;
  std::string pom = options.pom;
  if (pom.empty()) {
    const char* src = std::getenv("PINPIPE_SOURCE_DIR");
    pom = std::string(src != nullptr ? src : ".") + "/tests/integration/kafka/pom.xml";
  }
  std::string mvn = FindProgram("mvn");
  if (mvn.empty() || !fs::exists(pom)) {
    ADD_FAILURE() << "cannot fetch Kafka: need mvn on PATH (Debian package maven) and " << pom;
    return "";
  }
  std::string staging = jars + ".tmp";
  fs::remove_all(staging, ec);
  RunResult fetched =
      Run({mvn, "-q", "-B", "-f", pom, "-Dkafka.version=" + options.version, "dependency:copy-dependencies",
           "-DincludeScope=runtime", "-DoutputDirectory=" + staging},
          "", {}, options.fetch_timeout);
  if (fetched.exit_code != 0) {
    ADD_FAILURE() << "mvn could not fetch org.apache.kafka:kafka_2.13:" << options.version << " (exit "
                  << fetched.exit_code << "):\n"
                  << Tail(fetched.out + fetched.err);
    return "";
  }
  fs::remove_all(jars, ec);
  fs::rename(staging, jars, ec);
  if (ec) {
    ADD_FAILURE() << "cannot move " << staging << " to " << jars << ": " << ec.message();
    return "";
  }
  WriteFile(marker, options.version + "\n");
  return jars;
}

std::unique_ptr<KafkaBroker> KafkaBroker::Start(const KafkaBrokerOptions& options) {
  std::string jars = EnsureKafkaJars(options);
  if (jars.empty()) return nullptr;
  // A port taken between FreePort() and the broker's bind is retried once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<KafkaBroker> broker(new KafkaBroker(options));
    if (broker->Launch(jars)) return broker;
    std::string log = broker->Log();
    if (attempt == 0 && log.find("Address already in use") != std::string::npos) continue;
    ADD_FAILURE() << "Kafka broker did not start; its log:\n" << Tail(log);
    return nullptr;
  }
  return nullptr;
}

std::string KafkaBroker::Java() const {
  std::string java = FindProgram("java");
  return java.empty() ? "java" : java;
}

bool KafkaBroker::Launch(const std::string& jars) {
  port_ = FreePort();
  int controller_port = FreePort();
  while (controller_port == port_) controller_port = FreePort();
  std::string props = dir_.File("server.properties");
  std::string log4j = dir_.File("log4j.properties");
  WriteFile(props, ServerProperties(dir_.path(), port_, controller_port));
  WriteFile(log4j, kLog4j);
  std::string classpath = jars + "/*";
  std::string log_config = "-Dlog4j.configuration=file:" + log4j;
  RunResult format = Run({Java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", log_config, "-cp", classpath,
                          "kafka.tools.StorageTool", "format", "-t", RandomClusterId(), "-c", props},
                         "", {}, std::chrono::minutes(2));
  WriteFile(dir_.File("format.log"), format.out + format.err);
  if (format.exit_code != 0) return false;
  SpawnOptions spawn;
  spawn.stdout_path = dir_.File("broker.out");
  spawn.stderr_path = dir_.File("broker.err");
  auto started = Subprocess::Start({Java(), "-Xms256m", "-Xmx768m", "-Djava.awt.headless=true", log_config,
                                    "-cp", classpath, "kafka.Kafka", props},
                                   spawn);
  if (!started) return false;
  process_.emplace(std::move(*started));
  bool ready = WaitFor(
      [&] {
        if (!process_->Running()) return true;
        return ReadFile(dir_.File("broker.out")).find("Kafka Server started") != std::string::npos;
      },
      options_.start_timeout);
  return ready && process_->Running();
}

KafkaBroker::~KafkaBroker() {
  if (process_ && process_->Running()) {
    process_->Signal(SIGTERM);
    if (!process_->Wait(std::chrono::seconds(30))) process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(10));
  }
}

std::string KafkaBroker::Log() const {
  return ReadFile(dir_.File("format.log")) + ReadFile(dir_.File("broker.out")) +
         ReadFile(dir_.File("broker.err"));
}

bool KafkaBroker::DeleteRecordsBefore(const std::string& topic, int partition, int64_t before) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap().c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << "cannot create a Kafka client: " << err;
    return false;
  }
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = before;
  rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(offsets);
  rd_kafka_topic_partition_list_destroy(offsets);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_DeleteRecords(rk, &request, 1, nullptr, queue);
  rd_kafka_DeleteRecords_destroy(request);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30000);
  bool ok = false;
  if (ev == nullptr) {
    ADD_FAILURE() << "DeleteRecords got no answer";
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ADD_FAILURE() << "DeleteRecords: " << rd_kafka_event_error_string(ev);
  } else {
    const rd_kafka_topic_partition_list_t* result =
        rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    ok = result != nullptr && result->cnt == 1 && result->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!ok) ADD_FAILURE() << "DeleteRecords failed for " << topic << "/" << partition;
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(queue);
  rd_kafka_destroy(rk);
  return ok;
}

}  // namespace pinpipe::testing
