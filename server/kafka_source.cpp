#include "server/kafka_source.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
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
#include "server/session_decoder.hpp"
#include "server/text_escape.hpp"

namespace ccmon::server {
namespace {

using Clock = std::chrono::steady_clock;
using TopicPartition = std::pair<std::string, std::int32_t>;

// How long one poll waits for a first message, and how long a batch refused
// by the journal (disk) waits before it is read again.
constexpr int kPollMs = 100;
constexpr auto kRetryAfter = std::chrono::seconds(1);
constexpr int kCommittedTimeoutMs = 10'000;

// The Kafka source's metrics (docs/metrics.md, "Kafka"). Topic labels are
// bounded by ingest.kafka.topics, partition labels by the topics' partitions.
struct KafkaMetrics {
  explicit KafkaMetrics(prometheus::Registry& r)
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
        commit_failed(&commits.Add({{"result", "failed"}})) {}

  prometheus::Family<prometheus::Counter>& messages;
  prometheus::Family<prometheus::Gauge>& lag;
  prometheus::Family<prometheus::Gauge>& assigned;
  prometheus::Family<prometheus::Counter>& rebalances;
  prometheus::Family<prometheus::Counter>& commits;
  prometheus::Family<prometheus::Counter>& errors;
  prometheus::Counter* assign_count;
  prometheus::Counter* revoke_count;
  prometheus::Counter* commit_ok;
  prometheus::Counter* commit_failed;
};

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

// Appends `part` (the mapping of one message) to `into`, its record numbers
// moved past the records already there.
void append(core::adapters::AdapterBatch& into, core::adapters::AdapterBatch part,
            std::size_t record_base) {
  for (auto& e : part.events) into.events.push_back(std::move(e));
  for (std::size_t i = 0; i < into.counts.size(); ++i) into.counts[i] += part.counts[i];
  for (auto& issue : part.issues) {
    if (into.issues.size() == core::adapters::kMaxIssues) {
      ++into.issues_dropped;
      continue;
    }
    issue.record += record_base;
    into.issues.push_back(std::move(issue));
  }
  into.issues_dropped += part.issues_dropped;
  for (auto& [kind, n] : part.unknown_kinds) {
    auto it = std::find_if(into.unknown_kinds.begin(), into.unknown_kinds.end(),
                           [&](const auto& k) { return k.first == kind; });
    if (it != into.unknown_kinds.end()) {
      it->second += n;
    } else {
      into.unknown_kinds.emplace_back(std::move(kind), n);
    }
  }
}

// librdkafka's name of an error ("_TRANSPORT", "NOT_COORDINATOR"): a label
// value from a fixed list.
std::string error_name(RdKafka::ErrorCode err) {
  return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err));
}

// Lines of an NDJSON value the codec counts (the non-blank ones): the
// codec's event index runs over those.
std::size_t event_lines(std::string_view value) {
  std::size_t n = 0;
  bool blank = true;
  for (char c : value) {
    if (c == '\n') {
      n += blank ? 0 : 1;
      blank = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      blank = false;
    }
  }
  return n + (blank ? 0 : 1);
}

std::size_t records_of(const core::adapters::AdapterBatch& b) {
  std::size_t n = 0;
  for (auto c : b.counts) n += c;
  return n;
}

}  // namespace

struct KafkaSource::Impl : RdKafka::RebalanceCb, RdKafka::EventCb, RdKafka::OffsetCommitCb {
  std::shared_ptr<ServerContext> ctx;
  config::KafkaConfig config;
  KafkaMetrics metrics;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;  // for the stop wait
  std::condition_variable wake;

  // The batch being collected, and per partition the next offset after
  // what the engine has taken (what is committed).
  std::vector<std::unique_ptr<RdKafka::Message>> batch;
  std::map<TopicPartition, std::int64_t> applied;
  // Per assigned partition, the next offset to take (for the lag): the
  // committed one at assignment, then what was applied.
  std::map<TopicPartition, std::int64_t> next_offset;
  std::set<TopicPartition> assigned;
  std::map<TopicPartition, prometheus::Gauge*> lag_gauges;
  SessionDecoder decoder;

  Impl(std::shared_ptr<ServerContext> c, config::KafkaConfig cfg)
      : ctx(std::move(c)), config(std::move(cfg)), metrics(ctx->metrics.registry()) {}

  // --- librdkafka callbacks (on the source's thread, inside consume()) ---

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      metrics.assign_count->Increment();
      // Where each partition goes on: its committed offset (the lag of a
      // partition with nothing new is 0 before any message comes).
      if (c->committed(partitions, kCommittedTimeoutMs) == RdKafka::ERR_NO_ERROR) {
        for (auto* p : partitions) {
          if (p->offset() >= 0) next_offset[{p->topic(), p->partition()}] = p->offset();
        }
      }
      c->assign(partitions);
      for (auto* p : partitions) assigned.emplace(p->topic(), p->partition());
      for (auto* p : partitions) {
        spdlog::info("kafka: assigned {} partition {}", p->topic(), p->partition());
      }
    } else {
      metrics.revoke_count->Increment();
      // Messages collected from a revoked partition but not applied are left
      // to its next owner, which reads them from the committed offset.
      std::erase_if(batch, [&](const std::unique_ptr<RdKafka::Message>& m) {
        return std::any_of(partitions.begin(), partitions.end(), [&](auto* p) {
          return p->topic() == m->topic_name() && p->partition() == m->partition();
        });
      });
      commit(true);
      for (auto* p : partitions) {
        const TopicPartition tp{p->topic(), p->partition()};
        applied.erase(tp);
        next_offset.erase(tp);
        assigned.erase(tp);
        if (auto it = lag_gauges.find(tp); it != lag_gauges.end()) {
          metrics.lag.Remove(it->second);
          lag_gauges.erase(it);
        }
      }
      c->unassign();
    }
    count_assigned();
  }

  void event_cb(RdKafka::Event& event) override {
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
    metrics.errors.Add({{"error", error_name(event.err())}}).Increment();
    ctx->adapters.log_warning("kafka: " + RdKafka::err2str(event.err()) + ": " + event.str());
  }

  void offset_commit_cb(RdKafka::ErrorCode err, std::vector<RdKafka::TopicPartition*>&) override {
    if (err == RdKafka::ERR__NO_OFFSET) return;  // nothing was due
    (err == RdKafka::ERR_NO_ERROR ? metrics.commit_ok : metrics.commit_failed)->Increment();
    if (err != RdKafka::ERR_NO_ERROR) {
      ctx->adapters.log_warning("kafka: offset commit failed: " + RdKafka::err2str(err));
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
      std::int64_t low = 0;
      std::int64_t high = 0;
      // The watermarks the last fetch response brought (no request here).
      if (consumer->get_watermark_offsets(tp.first, tp.second, &low, &high) !=
              RdKafka::ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      auto it = lag_gauges.find(tp);
      if (it == lag_gauges.end()) {
        it = lag_gauges
                 .emplace(tp, &metrics.lag.Add(
                                  {{"topic", tp.first}, {"partition", std::to_string(tp.second)}}))
                 .first;
      }
      const auto known = next_offset.find(tp);
      // Neither committed nor taken yet: auto.offset.reset=earliest reads
      // from the low watermark.
      const std::int64_t next = known != next_offset.end() ? known->second : low;
      it->second->Set(static_cast<double>(std::max<std::int64_t>(0, high - next)));
    }
  }

  // Commits the applied offsets: `sync` before a partition is given away or
  // at stop, else in the background.
  void commit(bool sync) {
    if (applied.empty()) return;
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [tp, next] : applied) {
      offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, next));
    }
    const auto err = sync ? consumer->commitSync(offsets) : consumer->commitAsync(offsets);
    if (sync && err != RdKafka::ERR__NO_OFFSET) {
      (err == RdKafka::ERR_NO_ERROR ? metrics.commit_ok : metrics.commit_failed)->Increment();
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
    if (stopping) return;
    if (auto err = consumer->subscribe(config.topics); err != RdKafka::ERR_NO_ERROR) {
      spdlog::error("kafka: cannot subscribe to {}: {}", fmt::join(config.topics, ", "),
                    RdKafka::err2str(err));
      return;
    }
    spdlog::info("kafka: consuming {} in group {} from {}", fmt::join(config.topics, ", "),
                 config.group_id, fmt::join(config.brokers, ","));
    while (!stopping) {
      collect();
      if (!batch.empty()) take();
      update_lag();
    }
    commit(true);
    consumer->close();  // leaves the group: the partitions move at once
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
        metrics.errors.Add({{"error", error_name(m->err())}}).Increment();
        ctx->adapters.log_warning("kafka: " + m->errstr());
      }
      break;
    }
  }

  // Takes the collected batch through the ingest path and waits until the
  // engine has it; then its offsets are committed.
  void take() {
    auto cfg = ctx->config();
    std::promise<bool> taken;
    auto future = taken.get_future();
    if (config.format == config::KafkaFormat::kCcmon) {
      take_events(taken);
    } else {
      take_native(*cfg, taken);
    }
    if (!future.get()) {
      // Refused (the journal cannot write, or the state is being restored):
      // nothing of it was applied; read it again.
      rewind();
      wait_for(kRetryAfter);
      return;
    }
    for (const auto& m : batch) {
      applied[{m->topic_name(), m->partition()}] = m->offset() + 1;
      next_offset[{m->topic_name(), m->partition()}] = m->offset() + 1;
      metrics.messages.Add({{"topic", m->topic_name()}}).Increment();
    }
    batch.clear();
    commit(false);
  }

  void rewind() {
    std::map<TopicPartition, std::int64_t> first;
    for (const auto& m : batch) first.try_emplace({m->topic_name(), m->partition()}, m->offset());
    batch.clear();
    for (const auto& [tp, offset] : first) {
      std::unique_ptr<RdKafka::TopicPartition> p(
          RdKafka::TopicPartition::create(tp.first, tp.second, offset));
      consumer->seek(*p, 1000);
    }
  }

  void wait_admitted(std::size_t n) {
    if (n == 0) return;
    std::promise<void> room;
    auto ready = room.get_future();
    ctx->runner.admission().wait(n, [&room] { room.set_value(); });
    ready.wait();
  }

  // ccmon NDJSON: each message one or more lines; a rejected line is
  // logged with the message it came from.
  void take_events(std::promise<bool>& taken) {
    EngineService& engine = ctx->runner;
    std::string body;
    std::vector<std::size_t> first_event;  // per message, the codec's index of its first event
    std::size_t events = 0;
    for (const auto& m : batch) {
      first_event.push_back(events);
      const auto* p = static_cast<const char*>(m->payload());
      const std::string_view value(p ? p : "", m->len());
      body.append(value);
      if (value.empty() || value.back() != '\n') body += '\n';
      events += event_lines(value);
    }
    if (!engine.state_ready()) return taken.set_value(false);
    const core::Timestamp now = engine.wall_now();
    core::DecodedBatch decoded =
        decoder.for_config(ctx->config()).decode(body, core::BodyFormat::kNdjson, now);
    ctx->metrics.decoded(Transport::kKafka, decoded);
    for (const auto& r : decoded.rejections) {
      const auto at = std::upper_bound(first_event.begin(), first_event.end(), r.index);
      const auto& m = batch[static_cast<std::size_t>(at - first_event.begin()) - 1];
      ctx->adapters.log_warning("kafka: " + m->topic_name() + "[" + std::to_string(m->partition()) +
                                "] offset " + std::to_string(m->offset()) + ": " +
                                std::string(core::to_string(r.reason)) + ": " +
                                loggable(r.message, 512));
    }
    const std::size_t n = decoded.events.size();
    if (n == 0) return taken.set_value(true);
    wait_admitted(n);
    Batch b{Transport::kKafka, std::move(decoded.events), now, n};
    b.feed = "kafka";
    engine.submit(std::move(b), [&taken](BatchResult result) {
      if (result.internal_error) {
        // Unknown what was applied; taken as it is (as an HTTP client's
        // resend would be, the duplicates are dropped): reading it again
        // forever would stop the partition.
        spdlog::error("kafka: applying a batch failed; its messages are not read again");
      }
      taken.set_value(!result.state_unavailable);
    });
  }

  // An adapter's native records: one mapping per message, one delivery.
  void take_native(const config::Config& cfg, std::promise<bool>& taken) {
    namespace ad = core::adapters;
    const AdapterKind kind = adapter_of(config.format);
    auto map_all = [&](ad::QueueLogState* memory) {
      ad::AdapterBatch all;
      for (const auto& m : batch) {
        const auto* p = static_cast<const char*>(m->payload());
        const std::string_view value(p ? p : "", m->len());
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
        append(all, std::move(part), records_of(all));
      }
      return all;
    };
    // The queue_log agent memory is the source's, shared with HTTP
    // deliveries of the same source; mapped on a copy kept once taken.
    auto next = std::make_shared<ad::QueueLogState>();
    ad::AdapterBatch mapped =
        kind == AdapterKind::kAsteriskQueueLog
            ? ctx->adapters.with_queue_log_state(config.source, cfg.adapters.max_sources,
                                                 [&](ad::QueueLogState& state) {
                                                   *next = state;
                                                   return map_all(next.get());
                                                 })
            : map_all(nullptr);
    // The ingest path asks admission and refuses when it is full (then the
    // batch is read again): wait for room first, and hand it back for that.
    wait_admitted(mapped.events.size());
    if (!mapped.events.empty()) ctx->runner.admission().release(mapped.events.size());
    ingest_adapter_batch(
        *ctx, cfg, decoder.for_config(ctx->config()), kind, config.source, std::move(mapped),
        Transport::kKafka, "message",
        [this, kind, next, &taken, max = cfg.adapters.max_sources](AdapterOutcome out) {
          // Refused ones (restoring, overloaded, the journal) are read again.
          const bool ok = out.failure == AdapterOutcome::Failure::kNone ||
                          out.failure == AdapterOutcome::Failure::kInternal;
          if (ok && kind == AdapterKind::kAsteriskQueueLog) {
            ctx->adapters.with_queue_log_state(config.source, max, [&](ad::QueueLogState& s) {
              s = *next;
              return 0;
            });
          }
          taken.set_value(ok);
        });
  }
};

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaSource::~KafkaSource() {
  stop();
}

std::unique_ptr<KafkaSource> KafkaSource::create(std::shared_ptr<ServerContext> ctx,
                                                 const config::KafkaConfig& config,
                                                 std::string& error) {
  auto impl = std::make_unique<Impl>(std::move(ctx), config);
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  auto set = [&](const std::string& name, const std::string& value, bool user) {
    std::string why;
    if (conf->set(name, value, why) == RdKafka::Conf::CONF_OK) return true;
    // The value is not repeated: it may be a password.
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
  impl->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!impl->consumer) {
    error = "ingest.kafka: " + why;
    return nullptr;
  }
  return std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
}

void KafkaSource::start() {
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void KafkaSource::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

}  // namespace ccmon::server
