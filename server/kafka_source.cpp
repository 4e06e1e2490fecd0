#include "server/kafka_source.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/adapters/amazon_connect.hpp"
#include "core/adapters/asterisk_queue_log.hpp"
#include "core/adapters/twilio_taskrouter.hpp"
#include "server/adapter_ingest.hpp"
#include "server/kafka_batch.hpp"
#include "server/kafka_metrics.hpp"
#include "server/partition_store.hpp"
#include "server/session_decoder.hpp"
#include "server/text_escape.hpp"
#include "store/thread_name.hpp"

namespace ccmon::server {
namespace {

using Clock = std::chrono::steady_clock;
using TopicPartition = std::pair<std::string, std::int32_t>;

// How long one poll waits for a first message, and how long a batch refused
// by the journal (disk) waits before it is read again.
constexpr int kPollMs = 100;
constexpr auto kRetryAfter = std::chrono::seconds(1);
constexpr int kCommittedTimeoutMs = 10'000;
// How long leaving the group may take at stop before the daemon exits
// without it (docs/kafka.md, "Several instances").
constexpr auto kCloseTimeout = std::chrono::seconds(10);

AdapterKind adapter_of(config::KafkaFormat f) {
  switch (f) {
    case config::KafkaFormat::kAsteriskQueueLog:
      return AdapterKind::kAsteriskQueueLog;
    case config::KafkaFormat::kTwilio:
      return AdapterKind::kTwilio;
    default:
      return AdapterKind::kAmazonConnect;
  }
}

// librdkafka's name of an error ("_TRANSPORT", "NOT_COORDINATOR"): a label
// value from a fixed list.
std::string error_name(RdKafka::ErrorCode err) {
  return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err));
}

std::string_view value_of(const RdKafka::Message& m) {
  const auto* p = static_cast<const char*>(m.payload());
  return p ? std::string_view(p, m.len()) : std::string_view();
}

// The engine's name of an owned partition: "topic/partition".
std::string key_of(const std::string& topic, std::int32_t partition) {
  return topic + "/" + std::to_string(partition);
}

std::string place_of(const RdKafka::Message& m) {
  return m.topic_name() + "[" + std::to_string(m.partition()) + "] offset " +
         std::to_string(m.offset());
}

// Warnings about one thing (an error name, failing commits) at most once a
// minute, with how many were left out since: a broker down for an hour is
// a few lines, not thousands. Used on the source's thread and librdkafka's
// (event_cb): locked.
class Throttled {
 public:
  void warn(const std::string& key, const std::string& line) {
    std::lock_guard lock(mutex_);
    auto& [last, skipped] = seen_[key];
    const auto now = Clock::now();
    if (last != Clock::time_point{} && now - last < std::chrono::minutes(1)) {
      ++skipped;
      return;
    }
    if (skipped != 0) {
      spdlog::warn("{} ({} more like it in the last minute)", line, skipped);
    } else {
      spdlog::warn("{}", line);
    }
    last = now;
    skipped = 0;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<Clock::time_point, std::size_t>> seen_;  // bounded: error names
};

// What became of a batch handed to the ingest path.
enum class Taken {
  kApplied,  // applied (or every event rejected): commit it
  kRefused,  // refused whole (state being restored, the journal cannot write): nothing applied
  kFailed,   // applying threw: unknown what was applied (the duplicate memory knows)
};

// Attempts at a batch whose applying threw before it is given up.
constexpr int kMaxFailedAttempts = 3;

}  // namespace

struct KafkaSource::Impl : RdKafka::RebalanceCb, RdKafka::EventCb, RdKafka::OffsetCommitCb {
  std::shared_ptr<ServerContext> ctx;
  config::KafkaConfig config;
  KafkaMetrics metrics;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  // Whether partition.assignment.strategy is cooperative-sticky (librdkafka
  // refuses to mix it with the eager strategies).
  bool cooperative = false;
  bool closing = false;  // leave_group() runs (the source's thread only)
  // leave_group() gave up: librdkafka's threads still hold this object as
  // their callbacks, so it is never freed (KafkaSource::stop()).
  std::atomic<bool> given_up{false};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // for the stop wait
  std::condition_variable wake;

  // The batch being collected or retried.
  using Messages = std::vector<std::unique_ptr<RdKafka::Message>>;
  Messages batch;
  int failed_attempts = 0;  // of `batch`, applying threw
  // Per assigned partition, the next offset to take: the committed one at
  // assignment (kFromStart when none is), then the one after what the
  // engine has taken. What is committed, and the base of the lag; absent
  // while unknown.
  static constexpr std::int64_t kFromStart = -1;
  std::map<TopicPartition, std::int64_t> next_offset;
  std::set<TopicPartition> assigned;
  std::map<TopicPartition, prometheus::Gauge*> lag_gauges;
  SessionDecoder decoder;
  Throttled throttled;
  // Partition-owned state (ingest.kafka.state_dir): the store, and per
  // owned partition the offset its newest durable snapshot reflects (what
  // is committed: never ahead of a snapshot).
  std::optional<PartitionStore> store;
  std::map<TopicPartition, std::int64_t> durable_offset;
  // What was last sent to commit per partition: a commit carries only
  // offsets that moved (a commit that lands in a rebalance fails with
  // ILLEGAL_GENERATION, and librdkafka 2.0 rejoins the group after it).
  std::map<TopicPartition, std::int64_t> commit_sent;
  Clock::time_point next_snapshot{};

  Impl(std::shared_ptr<ServerContext> c, config::KafkaConfig cfg)
      : ctx(std::move(c)), config(std::move(cfg)), metrics(ctx->metrics.registry()) {
    // Every configured topic's series from the start, at 0.
    for (const auto& t : config.topics) metrics.messages.Add({{"topic", t}});
    if (config.partitioned()) {
      store.emplace(config.state_dir, config.group_id);
      metrics.partitioned = std::make_unique<KafkaMetrics::Partitioned>(ctx->metrics.registry());
      ctx->kafka_partitions.use();
    }
  }

  // Runs `call(done)` on the engine thread and waits for what it gives.
  template <typename T, typename Call>
  T on_engine(Call call) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    call([promise](T value) { promise->set_value(std::move(value)); });
    return future.get();
  }

  // A partition assigned with partition-owned state: its newest snapshot
  // (or nothing) becomes an engine of its own, and the offset it reflects
  // is where reading starts (the beginning when there is none).
  std::int64_t restore(const std::string& topic, std::int32_t partition) {
    auto& pm = *metrics.partitioned;
    const std::string key = key_of(topic, partition);
    ctx->kafka_partitions.restoring(key);
    pm.restoring->Increment();
    const auto started = Clock::now();
    PartitionStore::Found found = store->newest(topic, partition);
    for (const auto& p : found.problems) {
      spdlog::error("kafka: partition snapshot skipped as damaged: {}", p);
    }
    const bool had_image = found.image.has_value();
    auto [error, next] = on_engine<std::pair<std::string, std::int64_t>>([&](auto done) {
      ctx->runner.own_partition(key, std::move(found.image), [done](std::string e, std::int64_t n) {
        done({std::move(e), n});
      });
    });
    const char* result = "empty";
    if (!error.empty() || (!had_image && !found.problems.empty())) {
      spdlog::critical(
          "kafka: the state of {} could not be restored ({}); reading the partition again from "
          "its earliest offset (docs/kafka.md, \"Partition-owned state\")",
          key, error.empty() ? "no readable snapshot" : error);
      result = "failed";
      next = -1;
    } else if (had_image) {
      result = "snapshot";
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    pm.restores.Add({{"result", result}}).Increment();
    pm.last_restore_seconds->Set(seconds);
    pm.restoring->Decrement();
    ctx->kafka_partitions.owned(key);
    spdlog::info("kafka: {} restored ({}) in {:.3f} s; reading from offset {}", key, result,
                 seconds, next >= 0 ? std::to_string(next) : std::string("earliest"));
    return next;
  }

  // Snapshots the owned partitions among `keys` (all when empty) whose
  // state moved since their last snapshot, then commits the offsets of
  // every durable one: a committed offset never runs ahead of a snapshot.
  void checkpoint(const std::vector<TopicPartition>& which, bool sync) {
    auto& pm = *metrics.partitioned;
    std::vector<std::string> keys;
    for (const auto& tp : which) keys.push_back(key_of(tp.first, tp.second));
    auto images = on_engine<std::vector<PartitionImage>>(
        [&](auto done) { ctx->runner.partition_images(std::move(keys), done); });
    for (auto& image : images) {
      const auto slash = image.key.rfind('/');
      const TopicPartition tp{image.key.substr(0, slash), std::stoi(image.key.substr(slash + 1))};
      if (image.next_offset < 0) continue;  // nothing of it applied yet
      std::string error;
      std::uint64_t bytes = 0;
      switch (store->write(tp.first, tp.second, image.next_offset, image.bytes, error, bytes)) {
        case PartitionStore::Written::kOk:
          durable_offset[tp] = image.next_offset;
          ctx->runner.partition_imaged(image.key, image.next_offset);
          pm.snapshots.Add({{"result", "ok"}}).Increment();
          pm.snapshot_bytes->Increment(static_cast<double>(bytes));
          break;
        case PartitionStore::Written::kStale:
          pm.snapshots.Add({{"result", "stale"}}).Increment();
          throttled.warn("stale " + image.key,
                         "kafka: a newer snapshot of " + image.key +
                             " is in the partition state directory: another instance owns it "
                             "now; this one's is not written");
          break;
        case PartitionStore::Written::kFailed:
          pm.snapshots.Add({{"result", "failed"}}).Increment();
          throttled.warn("snapshot", "kafka: writing the snapshot of " + image.key +
                                         " failed (its offset is not committed): " + error);
          break;
      }
    }
    commit(sync);
  }

  // Forgets partitions given away or lost: their engines, offsets, series.
  void disown(const std::set<TopicPartition>& going) {
    for (const auto& tp : going) {
      if (store) {
        const std::string key = key_of(tp.first, tp.second);
        on_engine<bool>(
            [&](auto done) { ctx->runner.disown_partition(key, [done] { done(true); }); });
        ctx->kafka_partitions.disowned(key);
        durable_offset.erase(tp);
        commit_sent.erase(tp);
      }
      next_offset.erase(tp);
      assigned.erase(tp);
      if (auto it = lag_gauges.find(tp); it != lag_gauges.end()) {
        metrics.lag.Remove(it->second);
        lag_gauges.erase(it);
      }
    }
  }

  // --- librdkafka callbacks (on the source's thread, inside consume() and
  // close(); EVENT_LOG also from librdkafka's own threads) ---

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    // The cooperative protocol (cooperative-sticky) moves only what changes
    // hands; the eager one revokes everything, then assigns anew. Known
    // from the configuration: asking librdkafka (rebalance_protocol()) in
    // a callback served while the consumer closes can wait forever
    // (librdkafka #4041).
    const bool incremental = cooperative;
    if (closing && err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // An assignment that reached a member leaving the group: nothing is
      // restored or read; librdkafka makes the call an unassignment.
      if (incremental) {
        std::unique_ptr<RdKafka::Error> e(c->incremental_assign(partitions));
      } else {
        c->unassign();
      }
      return;
    }
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      metrics.assign_count->Increment();
      // Where each partition goes on: with partition-owned state, the
      // offset of its restored snapshot; else its committed offset (the
      // lag of a partition with nothing new is 0 before any message comes).
      if (store) {
        for (auto* p : partitions) {
          const std::int64_t next = restore(p->topic(), p->partition());
          p->set_offset(next >= 0 ? next : RdKafka::Topic::OFFSET_BEGINNING);
          next_offset[{p->topic(), p->partition()}] = next >= 0 ? next : kFromStart;
          if (next >= 0) durable_offset[{p->topic(), p->partition()}] = next;
        }
      } else if (c->committed(partitions, kCommittedTimeoutMs) == RdKafka::ERR_NO_ERROR) {
        for (auto* p : partitions) {
          next_offset[{p->topic(), p->partition()}] = p->offset() >= 0 ? p->offset() : kFromStart;
        }
      }
      std::string failed;
      if (incremental) {
        if (std::unique_ptr<RdKafka::Error> e(c->incremental_assign(partitions)); e)
          failed = e->str();
      } else if (const auto e = c->assign(partitions); e != RdKafka::ERR_NO_ERROR) {
        failed = RdKafka::err2str(e);
      }
      if (!failed.empty())
        spdlog::error("kafka: taking the assigned partitions failed: {}", failed);
      for (auto* p : partitions) {
        assigned.emplace(p->topic(), p->partition());
        spdlog::info("kafka: assigned {} partition {}", p->topic(), p->partition());
      }
    } else {
      // Revoked (or lost, or a rebalance error, after which every partition
      // is given up). Messages collected from a partition that goes and not
      // applied are left to its next owner, which reads them from the
      // committed offset.
      const bool all = err != RdKafka::ERR__REVOKE_PARTITIONS || !incremental;
      if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
        metrics.revoke_count->Increment();
        for (auto* p : partitions) {
          spdlog::info("kafka: revoked {} partition {}", p->topic(), p->partition());
        }
      } else {
        spdlog::error("kafka: rebalance failed: {}; giving up every partition",
                      RdKafka::err2str(err));
      }
      std::set<TopicPartition> going;
      if (all) {
        going = assigned;
      } else {
        for (auto* p : partitions) going.emplace(p->topic(), p->partition());
      }
      std::erase_if(batch, [&](const std::unique_ptr<RdKafka::Message>& m) {
        return going.contains({m->topic_name(), m->partition()});
      });
      if (batch.empty()) failed_attempts = 0;
      // A partition lost (the group went on without this member) may be
      // another's already: its state is not written over the new owner's.
      // Leaving the group, run() checkpointed or committed just before.
      if (!closing) {
        if (store && err == RdKafka::ERR__REVOKE_PARTITIONS && !c->assignment_lost()) {
          checkpoint({going.begin(), going.end()}, true);
        } else if (!store) {
          commit(true);
        }
      }
      disown(going);
      if (incremental && !all) {
        std::unique_ptr<RdKafka::Error> e(c->incremental_unassign(partitions));
      } else {
        c->unassign();
      }
    }
    count_assigned();
  }

  void event_cb(RdKafka::Event& event) override {
    // A close given up: the daemon is exiting and its logger and metrics
    // may be gone while librdkafka's threads still report.
    if (given_up) return;
    if (event.type() == RdKafka::Event::EVENT_LOG) {
      // librdkafka's own log (syslog severities), e.g. its `debug` property's.
      const int sev = static_cast<int>(event.severity());
      const auto level = sev <= 3   ? spdlog::level::err
                         : sev == 4 ? spdlog::level::warn
                         : sev <= 6 ? spdlog::level::info
                                    : spdlog::level::debug;
      spdlog::log(level, "kafka: {} {}", event.fac(), event.str());
      return;
    }
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    const std::string name = error_name(event.err());
    metrics.errors.Add({{"error", name}}).Increment();
    throttled.warn(name, "kafka: " + RdKafka::err2str(event.err()) + ": " + event.str());
  }

  // Every commit's result, the synchronous ones' too (librdkafka reports
  // them here as well), once.
  void offset_commit_cb(RdKafka::ErrorCode err, std::vector<RdKafka::TopicPartition*>&) override {
    if (err == RdKafka::ERR__NO_OFFSET) return;  // nothing was due
    (err == RdKafka::ERR_NO_ERROR ? metrics.commit_ok : metrics.commit_failed)->Increment();
    if (err != RdKafka::ERR_NO_ERROR) {
      throttled.warn("commit",
                     "kafka: an offset commit failed (a later one carries its offsets): " +
                         RdKafka::err2str(err));
    }
  }

  // --- the source's thread ---

  void count_assigned() {
    std::map<std::string, int> per_topic;
    for (const auto& t : config.topics) per_topic[t] = 0;
    for (const auto& tp : assigned) ++per_topic[tp.first];
    for (const auto& [topic, n] : per_topic) metrics.assigned.Add({{"topic", topic}}).Set(n);
  }

  void update_lag() {
    for (const auto& tp : assigned) {
      const auto known = next_offset.find(tp);
      if (known == next_offset.end()) continue;  // the committed offset is not known yet
      std::int64_t low = 0;
      std::int64_t high = 0;
      // The watermarks the last fetch response brought (no request here).
      if (consumer->get_watermark_offsets(tp.first, tp.second, &low, &high) !=
              RdKafka::ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      // Nothing committed: auto.offset.reset=earliest reads from the low
      // watermark.
      const std::int64_t next = known->second != kFromStart ? known->second : low;
      if (next < 0) continue;
      auto it = lag_gauges.find(tp);
      if (it == lag_gauges.end()) {
        it = lag_gauges
                 .emplace(tp, &metrics.lag.Add(
                                  {{"topic", tp.first}, {"partition", std::to_string(tp.second)}}))
                 .first;
      }
      it->second->Set(static_cast<double>(std::max<std::int64_t>(0, high - next)));
    }
  }

  // Commits the next offsets (all of them each time, so a commit that
  // failed is covered by the next): `sync` before a partition is given away
  // or at stop, else in the background.
  void commit(bool sync) {
    std::vector<RdKafka::TopicPartition*> offsets;
    if (store) {
      // Snapshotted offsets of partitions still owned, those that moved.
      for (const auto& [tp, next] : durable_offset) {
        if (next < 0 || !assigned.contains(tp)) continue;
        auto [sent, fresh] = commit_sent.try_emplace(tp, next);
        if (!fresh && sent->second == next) continue;
        sent->second = next;
        offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, next));
      }
    } else {
      for (const auto& [tp, next] : next_offset) {
        if (next >= 0)
          offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, next));
      }
    }
    if (offsets.empty()) return;
    if (sync) {
      consumer->commitSync(offsets);
    } else {
      consumer->commitAsync(offsets);
    }
    RdKafka::TopicPartition::destroy(offsets);
  }

  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, d, [&] { return stopping.load(); });
  }

  void run() {
    // The journal and snapshots are replayed first: what is consumed is
    // applied on top of the restored state, and its duplicates found.
    while (!stopping && !ctx->runner.state_ready()) wait_for(std::chrono::milliseconds(20));
    while (!stopping) {
      const auto err = consumer->subscribe(config.topics);
      if (err == RdKafka::ERR_NO_ERROR) break;
      spdlog::critical("kafka: cannot subscribe to {}: {}; trying again",
                       fmt::join(config.topics, ", "), RdKafka::err2str(err));
      wait_for(std::chrono::seconds(5));
    }
    if (stopping) return;
    spdlog::info("kafka: consuming {} in group {} from {}", fmt::join(config.topics, ", "),
                 config.group_id, fmt::join(config.brokers, ","));
    while (!stopping) {
      try {
        if (batch.empty()) collect();
        if (!batch.empty()) settle(take());
        update_lag();
        if (store && Clock::now() >= next_snapshot) {
          checkpoint({}, false);
          next_snapshot = Clock::now() + std::chrono::microseconds(config.snapshot_interval);
        }
      } catch (const std::exception& e) {
        // Out of memory above all: the batch is kept and tried again.
        spdlog::error("kafka: {}; trying again", e.what());
        hold();
      }
    }
    if (store) {
      checkpoint({}, true);
    } else {
      commit(true);
    }
    leave_group();
  }

  // Leaves the group, so its partitions go to the other members at once,
  // waiting at most kCloseTimeout: the close waits for the coordinator's
  // answer to LeaveGroup (5 s at most), and librdkafka before 2.4.0 can
  // wait forever when an assignment arrives while a cooperative-sticky
  // member closes (librdkafka #4528; Debian 12 ships 2.0.2). Past the
  // bound the handle is left to the process's exit, since destroying it
  // would wait for the same close. The offsets and snapshots are written
  // by then (or tried: run() just did it): the group sees a member that
  // died and moves its partitions after session.timeout.ms. The bound is
  // checked between callbacks, which do not commit or restore while
  // closing (rebalance_cb).
  void leave_group() {
    closing = true;
    std::unique_ptr<RdKafka::Queue> queue(RdKafka::Queue::create(consumer.get()));
    if (std::unique_ptr<RdKafka::Error> e(consumer->close(queue.get())); e) {
      spdlog::warn("kafka: leaving group {} failed: {}", config.group_id, e->str());
      return;
    }
    // Serves what the close forwards here until it is done: the last
    // revocation (rebalance_cb runs inside consume()) and the messages
    // fetched and not taken, dropped (the next owner reads them from the
    // committed offsets). Queue::poll() would abort on a message.
    const auto until = Clock::now() + kCloseTimeout;
    std::size_t dropped = 0;
    while (!consumer->closed() && Clock::now() < until) {
      const std::unique_ptr<RdKafka::Message> m(queue->consume(kPollMs));
      if (m->err() == RdKafka::ERR_NO_ERROR) ++dropped;
    }
    if (dropped > 0) {
      spdlog::info(
          "kafka: {} fetched messages not taken at stop; the next owner reads them from the "
          "committed offsets",
          dropped);
    }
    if (consumer->closed()) return;
    spdlog::warn(
        "kafka: leaving group {} took more than {} s; stopping without it (its partitions "
        "move after session.timeout.ms)",
        config.group_id, std::chrono::seconds(kCloseTimeout).count());
    (void)queue.release();
    (void)consumer.release();
    given_up = true;
  }

  // What follows a batch's outcome.
  void settle(Taken outcome) {
    if (outcome == Taken::kFailed && ++failed_attempts < kMaxFailedAttempts)
      outcome = Taken::kRefused;
    if (outcome == Taken::kRefused) return hold();
    if (outcome == Taken::kFailed) {
      // Reading it forever would stop its partitions: what of it was
      // applied is remembered by the duplicate memory, the rest is lost.
      metrics.given_up->Increment();
      spdlog::error(
          "kafka: applying a batch of {} messages failed {} times; going on after it "
          "(first {})",
          batch.size(), failed_attempts, place_of(*batch.front()));
    }
    for (const auto& m : batch) {
      next_offset[{m->topic_name(), m->partition()}] = m->offset() + 1;
      metrics.messages.Add({{"topic", m->topic_name()}}).Increment();
    }
    batch.clear();
    failed_attempts = 0;
    if (!store) commit(false);  // with a store, after the next snapshot
  }

  // Waits kRetryAfter with the batch kept and its partitions paused, still
  // serving the group (heartbeats, rebalances: a partition revoked
  // meanwhile leaves the batch).
  void hold() {
    std::vector<RdKafka::TopicPartition*> paused;
    for (const auto& tp : assigned) {
      paused.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
    }
    consumer->pause(paused);
    const auto until = Clock::now() + kRetryAfter;
    while (!stopping && Clock::now() < until) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(kPollMs));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      // From a partition assigned meanwhile: it joins the batch, and its
      // partition is paused too (one message each, not a flood).
      std::vector<RdKafka::TopicPartition*> more = {
          RdKafka::TopicPartition::create(m->topic_name(), m->partition())};
      consumer->pause(more);
      paused.push_back(more.front());
      batch.push_back(std::move(m));
    }
    consumer->resume(paused);
    RdKafka::TopicPartition::destroy(paused);
  }

  // Up to max_batch_messages messages and about server.limits.max_body_size
  // bytes (the memory of one HTTP body), or what came within kPollMs.
  void collect() {
    const auto until = Clock::now() + std::chrono::milliseconds(kPollMs);
    const std::size_t max_bytes = ctx->config()->limits.max_body_bytes;
    std::size_t bytes = 0;
    while (batch.size() < config.max_batch_messages && bytes < max_bytes && !stopping) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      std::unique_ptr<RdKafka::Message> m(
          consumer->consume(batch.empty() ? static_cast<int>(std::max<long>(0, left.count())) : 0));
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        bytes += m->len();
        batch.push_back(std::move(m));
        continue;
      }
      if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF) {
        const std::string name = error_name(m->err());
        metrics.errors.Add({{"error", name}}).Increment();
        throttled.warn(name, "kafka: " + m->errstr());
      }
      break;
    }
  }

  // Takes the batch through the ingest path and waits until the engine has
  // applied it (with state.sync: always, until its journal record is synced).
  // With partition-owned state, one engine batch per partition: what is
  // taken leaves `batch` (its offsets noted), what is not stays for settle().
  Taken take() {
    if (!store) return take_part(batch, std::nullopt);
    // Every partition's part is tried; those not taken stay (a part that
    // threw is the worst outcome: it may be given up, and only it).
    Taken worst = Taken::kApplied;
    Messages kept;
    while (!batch.empty()) {
      const std::string topic = batch.front()->topic_name();
      const std::int32_t partition = batch.front()->partition();
      Messages part;
      Messages rest;
      for (auto& m : batch) {
        (m->topic_name() == topic && m->partition() == partition ? part : rest)
            .push_back(std::move(m));
      }
      batch = std::move(rest);
      const Batch::Partition tag{key_of(topic, partition), part.back()->offset() + 1};
      const Taken taken = take_part(part, tag);
      if (taken != Taken::kApplied) {
        if (worst != Taken::kFailed) worst = taken;
        for (auto& m : part) kept.push_back(std::move(m));
        continue;
      }
      next_offset[{topic, partition}] = tag.next_offset;
      metrics.messages.Add({{"topic", topic}}).Increment(static_cast<double>(part.size()));
    }
    batch = std::move(kept);
    return worst;
  }

  Taken take_part(const Messages& msgs, const std::optional<Batch::Partition>& partition) {
    auto result = std::make_shared<std::promise<Taken>>();
    auto future = result->get_future();
    if (config.format == config::KafkaFormat::kCcmon) {
      take_events(msgs, partition, result);
    } else {
      take_native(*ctx->config(), msgs, partition, result);
    }
    return future.get();
  }

  // Reserves room for n events in admission, waiting for it (backpressure).
  void wait_admitted(std::size_t n) {
    if (n == 0) return;
    auto room = std::make_shared<std::promise<void>>();
    auto ready = room->get_future();
    ctx->runner.admission().wait(n, [room] { room->set_value(); });
    ready.wait();
  }

  // ccmon NDJSON: each message one or more lines; a rejected line is
  // logged with the place of the message it came from.
  void take_events(const Messages& msgs, const std::optional<Batch::Partition>& partition,
                   const std::shared_ptr<std::promise<Taken>>& result) {
    EngineService& engine = ctx->runner;
    if (!engine.state_ready()) return result->set_value(Taken::kRefused);
    std::vector<std::string_view> values;
    values.reserve(msgs.size());
    for (const auto& m : msgs) values.push_back(value_of(*m));
    const NdjsonBatch joined = ndjson_batch(values);
    const core::Timestamp now = engine.wall_now();
    core::DecodedBatch decoded =
        decoder.for_config(ctx->config()).decode(joined.body, core::BodyFormat::kNdjson, now);
    ctx->metrics.decoded(Transport::kKafka, decoded);
    for (const auto& r : decoded.rejections) {
      ctx->adapters.log_warning("kafka: " + place_of(*msgs[message_of(joined, r.index)]) + ": " +
                                std::string(core::to_string(r.reason)) + ": " +
                                loggable(r.message, 512));
    }
    const std::size_t n = decoded.events.size();
    // With partition-owned state, even a batch of nothing but rejected
    // lines goes to the engine: the partition's offset moves past it.
    if (n == 0 && !partition) return result->set_value(Taken::kApplied);
    wait_admitted(n);
    Batch b{Transport::kKafka, std::move(decoded.events), now, n};
    b.feed = "kafka";
    b.partition = partition;
    engine.submit(std::move(b), [result](BatchResult r) {
      result->set_value(r.internal_error      ? Taken::kFailed
                        : r.state_unavailable ? Taken::kRefused
                                              : Taken::kApplied);
    });
  }

  // An adapter's native records: one mapping per message, one delivery. A
  // record the adapter refuses is logged with its message's place.
  void take_native(const config::Config& cfg, const Messages& msgs,
                   const std::optional<Batch::Partition>& partition,
                   const std::shared_ptr<std::promise<Taken>>& result) {
    namespace ad = core::adapters;
    const AdapterKind kind = adapter_of(config.format);
    auto map_all = [&](ad::QueueLogState* memory) {
      ad::AdapterBatch all;
      for (const auto& m : msgs) {
        const std::string_view value = value_of(*m);
        if (value.empty()) continue;  // a tombstone holds no record
        ad::AdapterBatch part;
        if (config.format == config::KafkaFormat::kAsteriskQueueLog) {
          ad::QueueLogOptions o;
          o.source = config.source;
          o.wrapup = cfg.adapters.asterisk_queue_log.wrapup;
          o.strip_member_technology = cfg.adapters.asterisk_queue_log.strip_member_technology;
          part = ad::map_queue_log(value, o, *memory);
        } else if (config.format == config::KafkaFormat::kTwilio) {
          ad::TwilioOptions o;
          o.source = config.source;
          o.worker_name_as_agent = cfg.adapters.twilio.worker_name_as_agent;
          part = ad::map_twilio_event_streams(value, o);
        } else {
          ad::ConnectOptions o;
          o.source = config.source;
          part = ad::map_connect_contact_events(value, o);
        }
        for (const auto& issue : part.issues) {
          if (issue.outcome != ad::RecordOutcome::kRejected) continue;
          ctx->adapters.log_warning("kafka: " + place_of(*m) + ": record " +
                                    std::to_string(issue.record) + ": " + loggable(issue.code) +
                                    ": " + loggable(issue.message, 512));
        }
        append_mapping(all, std::move(part));
      }
      return all;
    };
    // The queue_log agent memory is the source's (shared with HTTP
    // deliveries of the same source); mapped on a copy, kept once applied.
    auto next = std::make_shared<ad::QueueLogState>();
    ad::AdapterBatch mapped =
        kind == AdapterKind::kAsteriskQueueLog
            ? ctx->adapters.with_queue_log_state(config.source, cfg.adapters.max_sources,
                                                 [&](ad::QueueLogState& state) {
                                                   *next = state;
                                                   return map_all(next.get());
                                                 })
            : map_all(nullptr);
    // Room for every mapped event first (backpressure), handed to the
    // ingest path, which gives back what the codec rejected.
    const std::size_t reserved = mapped.events.size();
    wait_admitted(reserved);
    ingest_adapter_batch(
        *ctx, cfg, decoder.for_config(ctx->config()), kind, config.source, std::move(mapped),
        Transport::kKafka, "record",
        [this, kind, next, result, max = cfg.adapters.max_sources](AdapterOutcome out) {
          using F = AdapterOutcome::Failure;
          if (out.failure == F::kNone && kind == AdapterKind::kAsteriskQueueLog) {
            ctx->adapters.with_queue_log_state(config.source, max, [&](ad::QueueLogState& s) {
              s = std::move(*next);
              return 0;
            });
          }
          result->set_value(out.failure == F::kNone       ? Taken::kApplied
                            : out.failure == F::kInternal ? Taken::kFailed
                                                          : Taken::kRefused);
        },
        reserved, partition);
  }
};

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaSource::~KafkaSource() {
  stop();
}

namespace {

// The consumer's librdkafka configuration: what ccmond sets, then the
// user's properties. nullptr with `error` naming the property librdkafka
// refused.
std::unique_ptr<RdKafka::Conf> consumer_conf(const config::KafkaConfig& config,
                                             std::string& error) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  auto set = [&](const std::string& name, const std::string& value, bool user) {
    std::string why;
    if (conf->set(name, value, why) == RdKafka::Conf::CONF_OK) return true;
    // ccmond does not repeat the value: it may be a password.
    error = user ? "ingest.kafka.properties." + name + ": " + why : name + ": " + why;
    return false;
  };
  std::string brokers;
  for (const auto& b : config.brokers) brokers += (brokers.empty() ? "" : ",") + b;
  if (!set("bootstrap.servers", brokers, false) || !set("group.id", config.group_id, false) ||
      !set("client.id", "ccmond", false) || !set("enable.auto.commit", "false", false) ||
      !set("enable.auto.offset.store", "false", false) ||
      !set("auto.offset.reset", "earliest", false) ||
      !set("enable.partition.eof", "false", false)) {
    return nullptr;
  }
  for (const auto& [name, value] : config.properties) {
    if (!set(name, value, true)) return nullptr;
  }
  return conf;
}

}  // namespace

bool kafka_properties_valid(const config::KafkaConfig& config, std::string& error) {
  return !config.enabled() || consumer_conf(config, error) != nullptr;
}

std::unique_ptr<KafkaSource> KafkaSource::create(std::shared_ptr<ServerContext> ctx,
                                                 const config::KafkaConfig& config,
                                                 std::string& error) {
  if (config.partitioned()) {
    // The shared directory must be there (a mount that is missing must
    // not become a local directory); the group's is made below it.
    std::error_code ec;
    if (!std::filesystem::is_directory(config.state_dir, ec)) {
      error = "ingest.kafka.state_dir " + config.state_dir +
              " is not a directory (it must exist: the directory every instance of the group "
              "shares, docs/kafka.md)";
      return nullptr;
    }
    std::filesystem::create_directories(
        PartitionStore(config.state_dir, config.group_id).directory(), ec);
    if (ec) {
      error = "ingest.kafka.state_dir: " + ec.message();
      return nullptr;
    }
  }
  auto impl = std::make_unique<Impl>(std::move(ctx), config);
  auto conf = consumer_conf(config, error);
  if (!conf) return nullptr;
  std::string why;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(impl.get()), why) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(impl.get()), why) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("offset_commit_cb", static_cast<RdKafka::OffsetCommitCb*>(impl.get()), why) !=
          RdKafka::Conf::CONF_OK) {
    error = "librdkafka: " + why;
    return nullptr;
  }
  std::string strategy;
  if (conf->get("partition.assignment.strategy", strategy) == RdKafka::Conf::CONF_OK)
    impl->cooperative = strategy.find("cooperative-sticky") != std::string::npos;
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!impl->consumer) {
    error = "ingest.kafka: " + why;
    return nullptr;
  }
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
}

void KafkaSource::start() {
  impl_->thread = std::thread([impl = impl_.get()] {
    store::name_this_thread("ccmon-kafka");
    impl->run();
  });
}

void KafkaSource::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
  if (impl_->given_up) (void)impl_.release();  // see Impl::given_up
}

}  // namespace ccmon::server
