// The Kafka source's metrics (docs/kafka.md, "Metrics"), registered when
// ingest.kafka is set. Topic labels are bounded by ingest.kafka.topics,
// partition labels by the topics' partitions, error labels by librdkafka's
// list of error names. Thread-safe like every prometheus-cpp metric.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>

namespace ccmon::server {

struct KafkaMetrics {
  explicit KafkaMetrics(prometheus::Registry& r);

  prometheus::Family<prometheus::Counter>& messages;  // {topic}
  prometheus::Family<prometheus::Gauge>& lag;         // {topic, partition}
  prometheus::Family<prometheus::Gauge>& assigned;    // {topic}
  prometheus::Family<prometheus::Counter>& rebalances;
  prometheus::Family<prometheus::Counter>& commits;
  prometheus::Family<prometheus::Counter>& errors;  // {error}
  prometheus::Counter* assign_count;
  prometheus::Counter* revoke_count;
  prometheus::Counter* commit_ok;
  prometheus::Counter* commit_failed;
  prometheus::Counter* given_up;

  // Partition-owned state (ingest.kafka.state_dir), registered only then.
  struct Partitioned {
    explicit Partitioned(prometheus::Registry& r);
    prometheus::Gauge* restoring;                        // partitions being restored now
    prometheus::Family<prometheus::Counter>& restores;   // {result}
    prometheus::Family<prometheus::Counter>& snapshots;  // {result}
    prometheus::Gauge* last_restore_seconds;
    prometheus::Counter* snapshot_bytes;
  };
  std::unique_ptr<Partitioned> partitioned;
};

}  // namespace ccmon::server
