// A Kafka cluster for tests, benchmarks and trying ingest.kafka: librdkafka's
// built-in mock cluster, which speaks the Kafka protocol on loopback ports
// (produce, fetch, consumer groups, offsets), kept running in this process.
// Debian packages no Kafka broker; this is what the Kafka tests and the
// Kafka benchmark talk to (docs/kafka.md, "Testing").
//
//   ccmon-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...
//
// Prints `bootstrap HOST:PORT,...` once the topics exist, then reads commands
// on standard input, one per line, and answers `ok` or `error: why`:
//   broker down ID | broker up ID       a broker stops / starts answering
//   errors API_KEY CODE COUNT           the next COUNT requests of the API
//                                       fail with the Kafka error CODE
//   delay BROKER API_KEY MS             the broker's next answer to the API
//                                       comes MS milliseconds late (and the
//                                       answers after it on that connection)
//   leader TOPIC PARTITION ID           the partition's leader becomes broker ID
//   coordinator group GROUP ID          the group's coordinator becomes broker ID
//   quit (or end of input)              stops the cluster
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

int usage(const char* why) {
  std::cerr << "ccmon-kafka-mock: " << why
            << "\nusage: ccmon-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...\n";
  return 2;
}

std::string run(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "broker") {
    std::string what;
    int id = 0;
    if (!(in >> what >> id)) return "error: broker down|up ID";
    rd_kafka_resp_err_t err;
    if (what == "down") {
      err = rd_kafka_mock_broker_set_down(cluster, id);
    } else if (what == "up") {
      err = rd_kafka_mock_broker_set_up(cluster, id);
    } else {
      return "error: broker down|up ID";
    }
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "errors") {
    int api = 0;
    int code = 0;
    std::size_t count = 0;
    if (!(in >> api >> code >> count) || count > 10000) return "error: errors API_KEY CODE COUNT";
    std::vector<rd_kafka_resp_err_t> errors(count, static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<std::int16_t>(api), count,
                                            errors.data());
    return "ok";
  }
  if (verb == "delay") {
    // The broker's next answer to API_KEY comes MS late (a slow coordinator).
    int id = 0;
    int api = 0;
    int ms = 0;
    if (!(in >> id >> api >> ms) || ms < 0) return "error: delay BROKER API_KEY MS";
    const auto err = rd_kafka_mock_broker_push_request_error_rtts(
        cluster, id, static_cast<std::int16_t>(api), 1, RD_KAFKA_RESP_ERR_NO_ERROR, ms);
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "leader") {
    std::string topic;
    int partition = 0;
    int id = 0;
    if (!(in >> topic >> partition >> id)) return "error: leader TOPIC PARTITION ID";
    const auto err = rd_kafka_mock_partition_set_leader(cluster, topic.c_str(), partition, id);
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "coordinator") {
    std::string type;
    std::string key;
    int id = 0;
    if (!(in >> type >> key >> id)) return "error: coordinator group|txn KEY ID";
    const auto err = rd_kafka_mock_coordinator_set(cluster, type.c_str(), key.c_str(), id);
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  return "error: unknown command " + verb;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") {
      std::cout << "usage: ccmon-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...\n"
                   "librdkafka's mock Kafka cluster on loopback (docs/kafka.md, \"Testing\"):\n"
                   "prints `bootstrap HOST:PORT,...`, then takes commands on standard input:\n"
                   "  broker down ID | broker up ID | errors API_KEY CODE COUNT\n"
                   "  leader TOPIC PARTITION ID | coordinator group GROUP ID | quit\n";
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
    const std::string value = argv[++i];
    if (arg == "--brokers") {
      brokers = std::atoi(value.c_str());
      if (brokers < 1 || brokers > 16) return usage("--brokers takes 1 to 16");
    } else if (arg == "--topic") {
      const auto colon = value.rfind(':');
      const int partitions = colon == std::string::npos ? 0 : std::atoi(value.c_str() + colon + 1);
      if (partitions < 1) return usage("--topic takes NAME:PARTITIONS");
      topics.emplace_back(value.substr(0, colon), partitions);
    } else {
      return usage(("unknown argument " + arg).c_str());
    }
  }

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // Quiet about the handle having no bootstrap.servers: it never connects.
  rd_kafka_conf_set(conf, "log_level", "4", error, sizeof error);
  // The handle only keeps the cluster's books; it never produces.
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!handle) return usage(error);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (!cluster) return usage("the mock cluster could not start");
  for (const auto& [name, partitions] : topics) {
    // Replication 1: a broker down takes its partitions' leadership with it.
    if (auto err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1)) {
      std::cerr << "topic " << name << ": " << rd_kafka_err2str(err) << "\n";
      return 1;
    }
  }
  std::cout << "bootstrap " << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;

  std::string line;
  while (std::getline(std::cin, line) && line != "quit") {
    if (line.empty()) continue;
    std::cout << run(cluster, line) << std::endl;
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
