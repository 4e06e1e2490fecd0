// Owns the KPI engine on one thread (the statsd_exporter single-consumer
// model): sessions decode on their own threads and submit batches here;
// nothing else touches the engine, so the hot path takes no locks. Snapshots
// ("views") are immutable and shared with readers, so a scrape never blocks
// ingestion for longer than taking one snapshot.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/codec/codec.hpp"
#include "core/dedup/deduplicator.hpp"
#include "core/engine/hashed_ids.hpp"
#include "core/engine/sharded_engine.hpp"
#include "core/engine/snapshot.hpp"
#include "core/prediction/at_risk_tracker.hpp"
#include "core/prediction/prediction.hpp"
#include "core/prediction/recent_answerers.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "server/admission.hpp"
#include "server/durable_state.hpp"
#include "server/engine_service.hpp"
#include "server/event_pool.hpp"
#include "server/hash_key.hpp"
#include "server/self_metrics.hpp"
#include "server/shard_workers.hpp"
#include "server/state_codec_binding.hpp"
#include "server/state_records.hpp"
#include "store/fork_excluded_memory.hpp"

namespace ccmon::server {

using WallClock = std::function<core::Timestamp()>;
core::Timestamp system_wall_clock();

class EngineRunner final : public EngineService {
 public:
  EngineRunner(const config::Config& config, SelfMetrics& metrics, WallClock clock);
  ~EngineRunner();

  // `listener` gets the view every tick builds, on the engine thread: it must
  // only hand it on (post it elsewhere), never render or block there. Set
  // before start().
  void on_tick(std::function<void(std::shared_ptr<const View>)> listener) {
    tick_listener_ = std::move(listener);
  }

  // Where applied batches of kAheadMinEvents or more are given back to the
  // event pool (reusable_events()) or, past its bound, freed: on `executors`
  // in turn (the daemon's io threads, which allocated most of the events'
  // strings), not on the engine thread, where freeing them went through
  // TCMalloc's central free list (5.7 % of the engine thread's
  // instructions, docs/benchmarks.md). At most max_events_in_flight events
  // wait there; past that the engine thread frees them. Empty: all freed on
  // the engine thread and none kept. The executors must outlive
  // drain_and_stop(). Before start().
  void free_batches_on(std::vector<boost::asio::any_io_executor> executors) {
    free_on_ = std::move(executors);
  }

  // Keeps the state in `state` (docs/architecture.md, "Durable state"):
  // start() then restores it on the engine thread before anything else, and
  // every change is journaled before it is applied. `codec`: snapshots (none:
  // the journal alone). Before start().
  void attach_state(std::unique_ptr<DurableState> state, std::optional<StateCodec> codec);

  void start();
  // Applies everything already submitted, then stops the thread.
  void drain_and_stop();

  Admission& admission() override { return admission_; }
  core::Timestamp wall_now() const override { return clock_(); }
  void submit(Batch batch, std::function<void(BatchResult)> done) override;
  void request_view(std::function<void(std::shared_ptr<const View>)> done) override;
  bool state_ready() const override { return !restoring_.load(std::memory_order_acquire); }
  void end_parts() override;
  std::vector<core::IndexedEvent> reusable_events(std::size_t events) override {
    return event_pool_.take(events);
  }
  void own_partition(
      std::string key, std::optional<std::string> image,
      std::function<void(std::string error, std::int64_t next_offset)> done) override;
  void partition_images(std::vector<std::string> keys,
                        std::function<void(std::vector<PartitionImage>)> done) override;
  void partition_imaged(std::string key, std::int64_t next_offset) override;
  void disown_partition(std::string key, std::function<void()> done) override;

  // Applies a reloaded configuration (engine, dedup, SLA rules, clock mode);
  // `done`, if given, runs on the engine thread once it is in force.
  void reconfigure(const config::Config& config, std::function<void()> done = {});

 private:
  core::Timestamp now() const;
  void apply(Batch& batch, BatchResult& result);
  // Applies accepted events to `engine`: each shard's on its own thread.
  // `hashed_ids`: the events' contact and agent ids hashed under hash_key_,
  // or empty.
  // With the forecast's answer memory on, it takes the events' agent states
  // and the answers the engine attributed.
  void apply_to_engine(core::ShardedEngine& engine, std::span<const core::Event* const> events,
                       std::span<const core::HashedIds> hashed_ids = {});
  // Runs `call` (an engine call that may attribute answers: apply, advance,
  // reconfigure) with `engine` noting answers as the forecast's
  // configuration says (a reload may change it; a restore or a new
  // partition starts with it off), then moves what it noted into
  // answerers_ (Engine::take_answers). Returns whether noting was on.
  // Every such call goes through here, so none leaves answers behind.
  template <typename Call>
  bool noting_answers(core::ShardedEngine& engine, Call&& call);
  void make_views();
  std::shared_ptr<const View> build_view();
  // advance + snapshot at `t`, and the SLA evaluation when `judge_sla` (the
  // tick's, never a scrape's); `live`: log transitions and count them, and
  // put the SLA states in the view (replay does none of it).
  std::shared_ptr<const View> evaluate(core::Timestamp t, bool judge_sla, bool live);
  void schedule_tick();
  // The tick's forecast from `view`'s snapshot and SLA states; logs at-risk
  // transitions. Returns the number of log lines suppressed.
  std::size_t predict(View& view, core::Timestamp t);
  std::shared_ptr<const core::Forecast> compute_forecast(const View& view, core::Timestamp t) const;

  // Durable state, all on the engine thread.
  void restore();
  bool replay(std::string_view record);
  void journal_tick(core::Timestamp t, std::uint8_t what);
  // After the journal took a record: notes that a recovery snapshot is due
  // when ticks were refused before (recovery_snapshot_due_).
  void journal_took_record();
  // Takes that snapshot; called when the record's batch or tick is done.
  void snapshot_if_journal_recovered();
  void on_synced(const store::SyncReport& report);
  // now: encoded and written before returning; else in a forked child.
  void take_snapshot(bool now);
  void maybe_snapshot();
  // Whether the restored configuration (the snapshot's) equals the one in force.
  bool restored_configuration_in_force() const;

  SelfMetrics& metrics_;
  WallClock clock_;
  state_records::Record replay_record_;  // reused by every replayed record
  Admission admission_;
  config::ClockMode clock_mode_;

  // Engine-thread state. Client strings are hashed under a key drawn once
  // per process (docs/security.md, "Hash flooding").
  const core::HashKey hash_key_ = random_hash_key();
  core::ShardedEngine engine_;
  // Owned Kafka partitions (docs/kafka.md, "Partition-owned state"): one
  // engine (one shard) and duplicate memory each, merged into the views
  // with engine_'s. Their snapshots travel between instances; the SLA
  // evaluator is the image format's and stays empty.
  struct OwnedPartition {
    OwnedPartition(const core::EngineConfig& engine_config, const core::DedupOptions& dedup_options,
                   const core::HashKey& key)
        : engine(engine_config, 1, key),
          dedup(dedup_options, key, store::fork_excluded_memory(), true) {}
    core::ShardedEngine engine;
    core::Deduplicator dedup;
    core::SlaEvaluator sla{{}};
    std::int64_t next_offset = -1;
    std::int64_t imaged_offset = -1;        // the offset of the last image made durable
    core::Timestamp latest_event_time = 0;  // its newest event applied
  };
  std::map<std::string, std::unique_ptr<OwnedPartition>, std::less<>> partitions_;
  ShardWorkers workers_;                                // one thread per shard but the first
  std::vector<std::vector<const core::Event*>> lists_;  // per shard, kept for their capacity
  std::vector<std::vector<core::HashedIds>> list_ids_;  // their ids hashed ahead, when they were
  core::Deduplicator dedup_;  // its slot table not inherited by a snapshot child
  core::SlaEvaluator sla_;
  core::Timestamp latest_event_time_ = 0;
  // Input feeds: the wall-clock arrival of each one's latest batch, and
  // after how long without one it is stale (0: never).
  std::map<std::string, core::Timestamp, std::less<>> feeds_;
  core::Duration feed_stale_after_ = 0;
  std::uint64_t sla_transitions_dropped_ = 0;  // last count exported
  bool stopping_ = false;                      // drain_and_stop() asked
  std::vector<std::function<void(std::shared_ptr<const View>)>> view_requests_;
  std::function<void(std::shared_ptr<const View>)> tick_listener_;
  std::vector<boost::asio::any_io_executor> free_on_;
  std::size_t next_free_on_ = 0;  // engine thread
  EventPool event_pool_;          // filled on free_on_
  bool dedup_enabled_ = true;     // max_ids > 0
  // dedup_enabled_ for the submitting threads, which hash ids ahead.
  std::atomic<bool> hash_ids_ahead_{true};
  // The key the duplicate memory hashes under: the process key, or the one
  // a restored image brought. Written by restore() before restoring_ turns
  // false, read by submitters only after they saw it false.
  core::HashKey ahead_key_ = hash_key_;
  // Smaller batches are hashed and freed on the engine thread: for them a
  // post and two small vectors cost more than they save.
  static constexpr std::size_t kAheadMinEvents = 64;
  std::atomic<std::size_t> unfreed_{0};      // events posted to free_on_, not yet freed
  std::vector<core::HashedIds> hashed_ids_;  // the fresh events', per batch
  // Per batch: each event's id hashes (then the fresh events' only, in
  // their order), kept for its capacity; the keyed hashes of the ids fresh
  // so far in the batch (already keyed, so crafted ids cannot crowd a
  // bucket; core::look_up_prefetched's scratch).
  std::vector<core::Deduplicator::IdHash> id_hashes_;
  absl::flat_hash_set<std::uint64_t> fresh_in_batch_;
  // The configuration in force, applied again over a restored snapshot.
  core::EngineConfig engine_config_;
  core::DedupOptions dedup_options_;
  std::vector<core::SlaRule> sla_rules_;
  // The forecast (docs/forecasting.md): computed on each live tick.
  core::PredictionConfig forecast_config_;
  core::RecentAnswerers answerers_{hash_key_};
  core::AtRiskTracker at_risk_;
  std::shared_ptr<const core::Forecast> forecast_;  // the last tick's

  // Durable state (null: state.dir is ""). Acknowledgements in `always`
  // mode wait in pending_acks_ until a sync covers their record.
  struct PendingAck {
    store::Sequence needs;
    std::function<void(BatchResult)> done;
    BatchResult result;
  };
  std::unique_ptr<DurableState> durable_;
  std::optional<StateCodec> codec_;
  bool ack_after_sync_ = false;
  std::deque<PendingAck> pending_acks_;
  store::Sequence durable_upto_ = 0;
  // Sync reports, in order, from the sync thread to the engine thread. The
  // engine thread takes them before each batch as well as in the handler the
  // first one posts: a post alone would wait behind every batch queued
  // meanwhile, and the acknowledgements with it.
  void take_sync_reports();
  std::mutex sync_reports_mutex_;
  std::vector<store::SyncReport> sync_reports_;  // guarded by sync_reports_mutex_
  std::atomic<bool> sync_reports_waiting_{false};
  bool tick_not_journaled_ = false;  // a tick applied while the journal failed
  // The journal took a record again since: a snapshot covers the ticks it
  // missed, taken once that record's work is done (it claims the record as
  // covered, so the record's events or tick must be in it).
  bool recovery_snapshot_due_ = false;
  std::atomic<bool> restoring_{false};
  std::shared_ptr<const View> startup_view_;  // what readers get while restoring

  boost::asio::io_context io_{1};
  boost::asio::steady_timer tick_{io_};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
};

}  // namespace ccmon::server
