#include "server/kafka_metrics.hpp"

namespace ccmon::server {

KafkaMetrics::KafkaMetrics(prometheus::Registry& r)
    : messages(prometheus::BuildCounter()
                   .Name("ccmon_kafka_messages_total")
                   .Help("Kafka messages taken into the engine, by topic.")
                   .Register(r)),
      lag(prometheus::BuildGauge()
              .Name("ccmon_kafka_consumer_lag_messages")
              .Help("Messages of an assigned partition not yet taken: the high watermark "
                    "minus the next offset to read.")
              .Register(r)),
      assigned(prometheus::BuildGauge()
                   .Name("ccmon_kafka_assigned_partitions")
                   .Help("Partitions this instance owns in its consumer group, by topic.")
                   .Register(r)),
      rebalances(prometheus::BuildCounter()
                     .Name("ccmon_kafka_rebalances_total")
                     .Help("Consumer group rebalances, by what they did here.")
                     .Register(r)),
      commits(prometheus::BuildCounter()
                  .Name("ccmon_kafka_commits_total")
                  .Help("Offset commits after applied batches, by result.")
                  .Register(r)),
      errors(prometheus::BuildCounter()
                 .Name("ccmon_kafka_errors_total")
                 .Help("Errors librdkafka reported (brokers down, requests failed), by "
                       "librdkafka's error name.")
                 .Register(r)),
      assign_count(&rebalances.Add({{"kind", "assign"}})),
      revoke_count(&rebalances.Add({{"kind", "revoke"}})),
      commit_ok(&commits.Add({{"result", "ok"}})),
      commit_failed(&commits.Add({{"result", "failed"}})),
      given_up(&prometheus::BuildCounter()
                    .Name("ccmon_kafka_batches_given_up_total")
                    .Help("Batches whose applying threw three times, gone past (what of them "
                          "was applied is remembered by the duplicate memory).")
                    .Register(r)
                    .Add({})) {}

KafkaMetrics::Partitioned::Partitioned(prometheus::Registry& r)
    : restoring(&prometheus::BuildGauge()
                     .Name("ccmon_kafka_partitions_restoring")
                     .Help("Assigned partitions whose state is being restored from the "
                           "partition state directory (consumption of them waits).")
                     .Register(r)
                     .Add({})),
      restores(prometheus::BuildCounter()
                   .Name("ccmon_kafka_partition_restores_total")
                   .Help("Partitions taken on assignment, by what their state came from: "
                         "snapshot, empty (none yet: read from the earliest offset), failed "
                         "(every snapshot unreadable: read from the earliest offset).")
                   .Register(r)),
      snapshots(prometheus::BuildCounter()
                    .Name("ccmon_kafka_partition_snapshots_total")
                    .Help("Partition snapshots written to the partition state directory, by "
                          "result: ok, failed, stale (a newer one was there: another owner).")
                    .Register(r)),
      last_restore_seconds(&prometheus::BuildGauge()
                                .Name("ccmon_kafka_partition_restore_last_seconds")
                                .Help("How long the last partition restore took (read and "
                                      "decode).")
                                .Register(r)
                                .Add({})),
      snapshot_bytes(&prometheus::BuildCounter()
                          .Name("ccmon_kafka_partition_snapshot_bytes_total")
                          .Help("Bytes of partition snapshots written.")
                          .Register(r)
                          .Add({})) {
  for (const char* result : {"snapshot", "empty", "failed"}) restores.Add({{"result", result}});
  for (const char* result : {"ok", "failed", "stale"}) snapshots.Add({{"result", result}});
}

}  // namespace ccmon::server
