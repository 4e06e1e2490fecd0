// The Kafka source (docs/kafka.md): a member of a Kafka consumer group
// (librdkafka's KafkaConsumer) that takes the messages of `ingest.kafka.topics`
// through the same ingest path as HTTP bodies: the codec (or an adapter's
// mapping), admission, the duplicate memory, the journal, the engine.
//
// Offsets: auto-commit is off. A message's offset is committed only once the
// engine has taken the batch it was in (with state.sync: always, once it is
// in the synced journal), so a crash or a rebalance gives the next owner the
// messages since the last commit again, and the duplicate memory (kept in
// the state directory's snapshots and journal) drops the events already
// counted: nothing lost, nothing counted twice, as long as the replayed span
// is within ingest.dedup.horizon. A batch refused whole is kept and taken
// again with its partitions paused; docs/kafka.md has the other cases.
//
// One thread of its own polls, decodes and waits for each batch to be applied
// before taking the next (admission applies backpressure); the rebalance
// callback runs on that thread inside librdkafka's consume() (while a batch
// is being collected: what it collected of a revoked partition is dropped)
// and while the consumer closes (served from the close's queue).
// start()/stop() from one thread (the daemon's).
#pragma once

#include <memory>
#include <string>

#include "config/kafka_config.hpp"
#include "server/server_context.hpp"

namespace ccmon::server {

// Whether librdkafka accepts ingest.kafka.properties (names and values it
// checks); `error` names the first it refuses. True without ingest.kafka.
// For --check-config and reloads: the source reads them at start only.
bool kafka_properties_valid(const config::KafkaConfig& config, std::string& error);

class KafkaSource {
 public:
  // nullptr with `error` set when librdkafka refuses the configuration
  // (a property's name or value); the message names the property.
  static std::unique_ptr<KafkaSource> create(std::shared_ptr<ServerContext> ctx,
                                             const config::KafkaConfig& config, std::string& error);
  ~KafkaSource();
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  // Starts the thread: it waits for the state to be restored, then joins
  // the group and consumes.
  void start();
  // Finishes the batch in flight, commits what was applied, leaves the
  // group (its partitions go to the other members at once; given up after
  // 10 s, docs/kafka.md "Several instances") and joins the thread. For the
  // daemon's exit only: a close given up leaves librdkafka's handle and
  // threads to the process's end. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit KafkaSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccmon::server
