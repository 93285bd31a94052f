// Throughput of pinpipe's Kafka bus producer, for bench/60-kafka.sh.
//   kafka_produce_bench serve --topic T [--topic T2] [--partitions 4]
//     hosts a librdkafka mock cluster (3 brokers) with those topics, prints
//     "bootstrap=<servers>" and runs until its standard input closes.
//   kafka_produce_bench produce --brokers B --topic T --input F [--batch N] [--inflight K]
//     appends the NDJSON lines of F (key = unique_id) in Append calls of N
//     records, at most K outstanding (as concurrent API requests would), and
//     prints records/s and Append latency percentiles.
//   kafka_produce_bench describe --brokers B --topic T
//     prints the topic's summed start and end offsets (the mock cluster keeps
//     only the last few MB of each partition, so counting by reading falls short).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "bus/kafka/kafka_bus.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback = "") {
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

std::vector<std::string> Args(int argc, char** argv, const std::string& name) {
  std::vector<std::string> out;
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) out.push_back(argv[i + 1]);
  }
  return out;
}

int Serve(int argc, char** argv) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::cerr << "cannot create handle: " << err << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* mock = rd_kafka_mock_cluster_new(rk, 3);
  int partitions = std::stoi(Arg(argc, argv, "--partitions", "4"));
  for (const std::string& topic : Args(argc, argv, "--topic")) {
    rd_kafka_mock_topic_create(mock, topic.c_str(), partitions, 3);
  }
  std::cout << "bootstrap=" << rd_kafka_mock_cluster_bootstraps(mock) << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  rd_kafka_mock_cluster_destroy(mock);
  rd_kafka_destroy(rk);
  return 0;
}

std::string KeyOf(const std::string& line) {
  static const std::string kField = "\"unique_id\":";
  size_t at = line.find(kField);
  if (at == std::string::npos) return "";
  size_t open = line.find('"', at + kField.size());
  size_t close = open == std::string::npos ? open : line.find('"', open + 1);
  return close == std::string::npos ? "" : line.substr(open + 1, close - open - 1);
}

int Produce(int argc, char** argv) {
  using namespace pinpipe;
  auto options = bus::kafka::ParseKafkaUrl("kafka://" + Arg(argc, argv, "--brokers"));
  if (!options.ok()) {
    std::cerr << options.status().ToString() << "\n";
    return 2;
  }
  std::string topic = Arg(argc, argv, "--topic", "pins");
  size_t batch = std::stoul(Arg(argc, argv, "--batch", "100"));
  size_t inflight = std::stoul(Arg(argc, argv, "--inflight", "64"));
  std::vector<std::string> lines, keys;
  std::ifstream in(Arg(argc, argv, "--input"));
  for (std::string line; std::getline(in, line);) {
    keys.push_back(KeyOf(line));
    lines.push_back(std::move(line));
  }
  auto opened = bus::kafka::OpenKafkaBus(*options);
  if (!opened.ok()) {
    std::cerr << opened.status().ToString() << "\n";
    return 1;
  }
  auto producer = (*opened)->NewProducer(topic);
  if (!producer.ok()) {
    std::cerr << producer.status().ToString() << "\n";
    return 1;
  }
  std::mutex mu;
  std::condition_variable cv;
  size_t outstanding = 0, failed = 0;
  std::vector<double> latencies_ms;
  auto start = Clock::now();
  for (size_t first = 0; first < lines.size(); first += batch) {
    std::vector<bus::Message> messages;
    for (size_t i = first; i < std::min(lines.size(), first + batch); ++i) {
      messages.push_back(bus::Message{keys[i], lines[i], 0});
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < inflight; });
      ++outstanding;
    }
    auto sent = Clock::now();
    (*producer)->Append(messages, [&, sent](Result<std::vector<bus::Position>> r) {
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
      std::lock_guard lock(mu);
      if (!r.ok()) ++failed;
      latencies_ms.push_back(ms);
      --outstanding;
      cv.notify_all();
    });
  }
  Status flushed = (*producer)->Flush(std::chrono::minutes(2));
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double q) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(latencies_ms.size() - 1, size_t(q * latencies_ms.size()))];
  };
  std::printf(
      "records=%zu batch=%zu inflight=%zu seconds=%.3f records_per_s=%.0f failed_appends=%zu "
      "append_ms_p50=%.2f p99=%.2f max=%.2f flush=%s\n",
      lines.size(), batch, inflight, seconds, lines.size() / seconds, failed, pct(0.5), pct(0.99),
      latencies_ms.empty() ? 0.0 : latencies_ms.back(), flushed.ok() ? "ok" : flushed.ToString().c_str());
  producer->reset();
  return failed == 0 && flushed.ok() ? 0 : 1;
}

int Describe(int argc, char** argv) {
  using namespace pinpipe;
  auto options = bus::kafka::ParseKafkaUrl("kafka://" + Arg(argc, argv, "--brokers"));
  if (!options.ok()) return 2;
  auto opened = bus::kafka::OpenKafkaBus(*options);
  if (!opened.ok()) {
    std::cerr << opened.status().ToString() << "\n";
    return 1;
  }
  auto described = (*opened)->DescribeTopic(Arg(argc, argv, "--topic", "pins"));
  if (!described.ok()) {
    std::cerr << described.status().ToString() << "\n";
    return 1;
  }
  int64_t start = 0, end = 0;
  for (const bus::PartitionInfo& p : *described) {
    start += p.start_offset;
    end += p.end_offset;
  }
  std::printf("start_offsets=%lld end_offsets=%lld\n", static_cast<long long>(start),
              static_cast<long long>(end));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve") return Serve(argc, argv);
  if (mode == "produce") return Produce(argc, argv);
  if (mode == "describe") return Describe(argc, argv);
  std::cerr << "usage: kafka_produce_bench serve|produce|describe ... (see the file's header)\n";
  return 2;
}
