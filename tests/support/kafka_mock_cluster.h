// librdkafka's mock Kafka cluster (rdkafka_mock.h) for tests: real Kafka
// protocol on loopback ports, in this process, for as long as the object
// lives, so pinpipe CLI children and kcat can talk to it too. Failures are
// injected through the mock's own API. No librdkafka type in this header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pinpipe::testing {

// Kafka protocol API keys and error codes the tests inject.
namespace kafka_api {
constexpr int16_t kProduce = 0;
constexpr int16_t kFetch = 1;
constexpr int16_t kListOffsets = 2;
constexpr int16_t kMetadata = 3;
}  // namespace kafka_api
namespace kafka_error {
constexpr int kNotLeaderForPartition = 6;
constexpr int kRequestTimedOut = 7;
constexpr int kNotEnoughReplicas = 19;
constexpr int kTopicAuthorizationFailed = 29;
}  // namespace kafka_error

// Thread-safe as the mock API is (it locks internally). Brokers are
// numbered 1..N.
class KafkaMockCluster {
 public:
  // nullptr (with an ADD_FAILURE) when the mock cannot start.
  static std::unique_ptr<KafkaMockCluster> Start(int brokers = 3);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // "127.0.0.1:p1,127.0.0.1:p2,...".
  const std::string& bootstrap() const { return bootstrap_; }
  // "kafka://" + bootstrap().
  std::string url() const { return "kafka://" + bootstrap_; }

  // The mock offers no CreateTopics API: tests create topics here.
  bool CreateTopic(const std::string& topic, int partitions, int replication_factor = 3);
  bool SetPartitionLeader(const std::string& topic, int partition, int broker_id);
  bool SetBrokerDown(int broker_id);
  bool SetBrokerUp(int broker_id);
  // The next `count` requests of `api_key` (any broker) fail with `error`.
  void PushRequestErrors(int16_t api_key, size_t count, int error);
  void ClearRequestErrors(int16_t api_key);

 private:
  struct State;
  explicit KafkaMockCluster(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  std::string bootstrap_;
};

}  // namespace pinpipe::testing
