// The `ingest.kafka` section (docs/kafka.md): values land in KafkaConfig,
// and each mistake is reported at its place (columns counted by hand,
// 1-based).
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"
#include "config_error_row.hpp"

using ccmon::config::KafkaFormat;
using ccmon::config::load_config_string;
using ccmon::config::test::check_single_error;
using ccmon::config::test::Row;

TEST_CASE("ingest.kafka keys map onto KafkaConfig", "[config][kafka]") {
  const auto result = load_config_string(R"(
ingest:
  kafka:
    brokers: [kafka-1:9092, "[::1]:9093"]
    topics: [connect-ctr, connect-agents]
    group_id: ccmon-eu
    format: amazon_connect
    source: connect-eu
    max_batch_messages: 200
    state_dir: /srv/ccmon-partitions
    snapshot_interval: 30s
    properties:
      security.protocol: SASL_SSL
      sasl.mechanism: PLAIN
      fetch.max.bytes: 1048576
)",
                                         "ok.yml");
  for (const auto& e : result.errors) FAIL_CHECK(to_string(e));
  REQUIRE(result.config);
  const auto& k = result.config->kafka;
  CHECK(k.enabled());
  CHECK(k.brokers == std::vector<std::string>{"kafka-1:9092", "[::1]:9093"});
  CHECK(k.topics == std::vector<std::string>{"connect-ctr", "connect-agents"});
  CHECK(k.group_id == "ccmon-eu");
  CHECK(k.format == KafkaFormat::kAmazonConnect);
  CHECK(k.source == "connect-eu");
  CHECK(k.max_batch_messages == 200);
  CHECK(k.partitioned());
  CHECK(k.state_dir == "/srv/ccmon-partitions");
  CHECK(k.snapshot_interval == 30'000'000);
  // In file order, values as written (librdkafka parses them).
  REQUIRE(k.properties.size() == 3);
  CHECK(k.properties[0] == std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"});
  CHECK(k.properties[2] == std::pair<std::string, std::string>{"fetch.max.bytes", "1048576"});
}

TEST_CASE("one broker or topic may be written without a list; the source is off by default",
          "[config][kafka]") {
  auto result =
      load_config_string("ingest: {kafka: {brokers: k:9092, topics: events}}\n", "ok.yml");
  REQUIRE(result.config);
  CHECK(result.config->kafka.brokers == std::vector<std::string>{"k:9092"});
  CHECK(result.config->kafka.topics == std::vector<std::string>{"events"});
  CHECK(result.config->kafka.group_id == "ccmon");
  CHECK(result.config->kafka.format == KafkaFormat::kCcmon);
  CHECK_FALSE(result.config->kafka.partitioned());
  CHECK(result.config->kafka.snapshot_interval == 10'000'000);

  result = load_config_string("server: {clock: event}\n", "ok.yml");
  REQUIRE(result.config);
  CHECK_FALSE(result.config->kafka.enabled());
}

TEST_CASE("ingest.kafka errors name the key and its position", "[config][kafka][errors]") {
  const Row rows[] = {
      // "    brokers: [" is 14 characters.
      {"ingest:\n  kafka:\n    brokers: [kafka-1]\n    topics: [t]\n", 3, 15,
       "ingest.kafka.brokers[0]: \"kafka-1\" is not HOST:PORT"},
      {"ingest:\n  kafka:\n    brokers: [\"k:90x2\"]\n    topics: [t]\n", 3, 15,
       "\"k:90x2\" is not HOST:PORT"},
      {"ingest:\n  kafka:\n    brokers: [\"k:99999\"]\n    topics: [t]\n", 3, 15,
       "\"k:99999\" has a port outside 1..65535"},
      {"ingest:\n  kafka:\n    brokers: [\"k:0\"]\n    topics: [t]\n", 3, 15,
       "has a port outside 1..65535"},
      {"ingest:\n  kafka:\n    brokers: [\"kafka://k:9092\"]\n    topics: [t]\n", 3, 15,
       "is not HOST:PORT (no scheme"},
      {"ingest:\n  kafka:\n    brokers: \"a:1,b:2\"\n    topics: [t]\n", 3, 14,
       "one broker per list element"},
      // "    topics: [t, " is 16 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t, t]\n", 4, 17,
       "ingest.kafka.topics[1]: duplicate topic \"t\""},
      // "    format: " is 12 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    format: json\n", 5, 13,
       "ingest.kafka.format: \"json\" is not a format: ccmon, asterisk_queue_log, twilio or "
       "amazon_connect"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    source: \"a b\"\n", 5, 13,
       "\"a b\" is not a source name"},
      // "      group.id: " is 16 characters: ccmond sets it from group_id.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties:\n"
       "      group.id: other\n",
       6, 17,
       "ingest.kafka.properties.group.id: set by ccmond (docs/kafka.md, \"librdkafka "
       "properties\"): use ingest.kafka.group_id"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties:\n"
       "      enable.auto.commit: true\n",
       6, 27,
       "ingest.kafka.properties.enable.auto.commit: set by ccmond (docs/kafka.md, \"librdkafka "
       "properties\"): ccmond commits an offset once its batch is applied"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties:\n"
       "      enable.auto.offset.store: true\n",
       6, 33, "ingest.kafka.properties.enable.auto.offset.store: set by ccmond"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties:\n"
       "      bootstrap.servers: x:1\n",
       6, 26, "ingest.kafka.properties.bootstrap.servers: set by ccmond"},
      // librdkafka's alias of bootstrap.servers.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties:\n"
       "      metadata.broker.list: x:1\n",
       6, 29, "ingest.kafka.properties.metadata.broker.list: set by ccmond"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    properties: [a]\n", 5, 17,
       "expected a mapping of librdkafka properties"},
      // "    topics: [" is 13 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [\"^ccmon-.*\"]\n", 4, 14,
       "\"^ccmon-.*\" is not a topic name"},
      // "    brokers: " is 13 characters.
      {"ingest:\n  kafka:\n    brokers: []\n    topics: [t]\n", 3, 14,
       "ingest.kafka.brokers: at least one broker is required"},
      // The section itself ("  kafka:" value starts on line 3, column 5).
      {"ingest:\n  kafka:\n    topics: [t]\n", 3, 5, "ingest.kafka needs `brokers`"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n", 3, 5, "ingest.kafka needs `topics`"},
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    max_batch_messages: 0\n", 5, 25,
       "ingest.kafka.max_batch_messages: \"0\" is outside 1..1000000"},
      // "    state_dir: " is 15 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    state_dir: parts\n", 5, 16,
       "ingest.kafka.state_dir: the partition state directory must be an absolute path"},
      // "    snapshot_interval: " is 23 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: [t]\n    snapshot_interval: 500ms\n", 5,
       24, "ingest.kafka.snapshot_interval"},
      // "    topics: " is 12 characters.
      {"ingest:\n  kafka:\n    brokers: [k:1]\n    topics: []\n", 4, 13,
       "ingest.kafka.topics: at least one topic is required"},
  };
  for (const auto& row : rows) check_single_error(row);
}
