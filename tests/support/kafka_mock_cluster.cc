// The mock cluster lives on a dummy producer handle, as rdkafka_mock.h asks.
#include "kafka_mock_cluster.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace pinpipe::testing {

struct KafkaMockCluster::State {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~State() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

std::unique_ptr<KafkaMockCluster> KafkaMockCluster::Start(int brokers) {
  auto state = std::make_unique<State>();
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock; keep it quiet and off any real network.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  state->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (state->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << "cannot create the mock cluster's handle: " << err;
    return nullptr;
  }
  state->cluster = rd_kafka_mock_cluster_new(state->rk, brokers);
  if (state->cluster == nullptr) {
    ADD_FAILURE() << "cannot start a librdkafka mock cluster";
    return nullptr;
  }
  return std::unique_ptr<KafkaMockCluster>(new KafkaMockCluster(std::move(state)));
}

KafkaMockCluster::KafkaMockCluster(std::unique_ptr<State> state)
    : state_(std::move(state)), bootstrap_(rd_kafka_mock_cluster_bootstraps(state_->cluster)) {}

KafkaMockCluster::~KafkaMockCluster() = default;

bool KafkaMockCluster::CreateTopic(const std::string& topic, int partitions, int replication_factor) {
  return rd_kafka_mock_topic_create(state_->cluster, topic.c_str(), partitions, replication_factor) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetPartitionLeader(const std::string& topic, int partition, int broker_id) {
  return rd_kafka_mock_partition_set_leader(state_->cluster, topic.c_str(), partition, broker_id) ==
         RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetBrokerDown(int broker_id) {
  return rd_kafka_mock_broker_set_down(state_->cluster, broker_id) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool KafkaMockCluster::SetBrokerUp(int broker_id) {
  return rd_kafka_mock_broker_set_up(state_->cluster, broker_id) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

void KafkaMockCluster::PushRequestErrors(int16_t api_key, size_t count, int error) {
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_mock_push_request_errors(state_->cluster, api_key, 1, static_cast<rd_kafka_resp_err_t>(error));
  }
}

void KafkaMockCluster::ClearRequestErrors(int16_t api_key) {
  rd_kafka_mock_clear_request_errors(state_->cluster, api_key);
}

}  // namespace pinpipe::testing
