// Test support: a real Apache Kafka broker (KRaft, one node acting as broker
// and controller) fetched from Maven Central once into a shared cache, then
// formatted and started in its own temp dir on free loopback ports, so two
// test runs never collide. The proof that pinpipe works with the Kafka users
// run in production; the mock cluster covers everything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "subprocess.h"

namespace pinpipe::testing {

struct KafkaBrokerOptions {
  std::string version = "3.7.2";  // org.apache.kafka:kafka_2.13 on Maven Central
  // Jars are kept in <cache_dir>/jars; empty: ~/.cache/pinpipe/kafka-<version>.
  std::string cache_dir;
  // The pom naming what to fetch; empty: $PINPIPE_SOURCE_DIR/tests/integration/kafka/pom.xml.
  std::string pom;
  std::chrono::seconds fetch_timeout{600};
  std::chrono::seconds start_timeout{90};
};

// Owned by one test thread. Stops the broker (SIGTERM, then SIGKILL) and
// removes its files on destruction.
class KafkaBroker {
 public:
  // Fetches the jars if the cache lacks them (under a file lock, so
  // concurrent runs fetch once), formats the storage and starts the broker.
  // nullptr (after ADD_FAILURE with the reason and the broker's log) when
  // it cannot.
  static std::unique_ptr<KafkaBroker> Start(const KafkaBrokerOptions& options = {});
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  // "127.0.0.1:<port>".
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "kafka://" + bootstrap(); }
  // The broker's own log, for failure messages.
  std::string Log() const;
  // Moves the partition's log start offset up to `before` (Kafka's
  // DeleteRecords), as retention would. False (after ADD_FAILURE) on failure.
  bool DeleteRecordsBefore(const std::string& topic, int partition, int64_t before);

 private:
  explicit KafkaBroker(KafkaBrokerOptions options) : options_(std::move(options)) {}
  bool Launch(const std::string& jars);
  std::string Java() const;

  KafkaBrokerOptions options_;
  TempDir dir_;
  int port_ = 0;
  std::optional<Subprocess> process_;
};

// Where the broker's jars are cached, fetching them first if needed. Empty
// (after ADD_FAILURE) when Maven cannot fetch them.
std::string EnsureKafkaJars(const KafkaBrokerOptions& options);

}  // namespace pinpipe::testing
