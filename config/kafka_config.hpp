// The `ingest.kafka` section (docs/kafka.md): the Kafka source, a consumer
// in a consumer group that takes events from topics as HTTP ingest takes
// them from bodies. Read at start only: a reload that changes it warns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::config {

// What a topic's message values hold (docs/kafka.md, "Message formats").
enum class KafkaFormat {
  kCcmon,             // ccmon events as NDJSON: one or more lines per message
  kAsteriskQueueLog,  // queue_log lines: one or more per message
  kTwilio,            // a Twilio Event Streams JSON array or event per message
  kAmazonConnect,     // an Amazon Connect contact event (EventBridge shape) per message
};

struct KafkaConfig {
  std::vector<std::string> brokers;  // bootstrap servers, HOST:PORT each
  std::vector<std::string> topics;   // empty: no Kafka source
  std::string group_id = "ccmon";
  KafkaFormat format = KafkaFormat::kCcmon;
  // The adapter metrics' `source` for a native format (one PBX or account
  // per source; the queue_log agent memory is the source's).
  std::string source = "kafka";
  // librdkafka configuration properties passed through as written
  // (security.protocol, ssl.*, sasl.*, fetch sizes...), in file order;
  // the daemon refuses to start when librdkafka refuses one.
  std::vector<std::pair<std::string, std::string>> properties;
  // Messages taken into one engine batch at most (then the next poll).
  std::size_t max_batch_messages = 1000;
  // Partition-owned state (docs/kafka.md, "Partition-owned state"): a
  // directory every instance of the group reads and writes (a shared file
  // system); each assigned partition's engine state is snapshotted there
  // with its offset, and the offset is committed once the snapshot is
  // durable. Empty: off, every instance keeps one state of its own.
  std::string state_dir;
  // How often the owned partitions are snapshotted (and their offsets
  // committed), in microseconds; also at every revocation and at stop.
  std::int64_t snapshot_interval = 10'000'000;

  bool partitioned() const { return !state_dir.empty(); }

  bool enabled() const { return !topics.empty(); }
  bool operator==(const KafkaConfig&) const = default;
};

// "ccmon", "asterisk_queue_log", "twilio", "amazon_connect".
const char* to_string(KafkaFormat f);

}  // namespace ccmon::config
