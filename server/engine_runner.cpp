#include "server/engine_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <chrono>
#include <exception>
#include <span>
#include <stdexcept>
#include <utility>

#include "core/dedup/prefetched_batch.hpp"
#include "core/engine/snapshot_merge.hpp"
#include "core/persist/sharded_state_codec.hpp"
#include "server/sla_log.hpp"
#include "store/thread_name.hpp"

namespace ccmon::server {
namespace {

constexpr auto kTick = std::chrono::seconds(1);

// What an owned partition's image carries besides its state, as its codec
// `extra`: the offset it reflects and its newest event time (the event
// clock of an instance that restores it before any message comes), two
// little-endian two's-complement 8-byte integers.
struct PartitionExtra {
  std::int64_t next_offset = -1;
  core::Timestamp latest_event_time = 0;
};

std::string encode_partition_extra(const PartitionExtra& e) {
  std::string out(16, '\0');
  for (int half = 0; half < 2; ++half) {
    auto v = static_cast<std::uint64_t>(half == 0 ? e.next_offset : e.latest_event_time);
    for (int i = 0; i < 8; ++i) {
      out[static_cast<std::size_t>(half * 8 + i)] = static_cast<char>(v & 0xff);
      v >>= 8;
    }
  }
  return out;
}

PartitionExtra decode_partition_extra(std::string_view extra) {
  if (extra.size() != 16) throw std::runtime_error("the partition image carries no offset");
  std::int64_t v[2];
  for (int half = 0; half < 2; ++half) {
    std::uint64_t u = 0;
    for (int i = 8; i-- > 0;) {
      u = (u << 8) | static_cast<unsigned char>(extra[static_cast<std::size_t>(half * 8 + i)]);
    }
    v[half] = static_cast<std::int64_t>(u);
  }
  return {v[0], v[1]};
}

std::string exception_text(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

}  // namespace

core::Timestamp system_wall_clock() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EngineRunner::EngineRunner(const config::Config& config, SelfMetrics& metrics, WallClock clock)
    : metrics_(metrics),
      clock_(std::move(clock)),
      // The gauge follows every change, so it reads 0 once traffic stops.
      admission_(config.limits.max_events_in_flight,
                 [&metrics](std::size_t n) { metrics.in_flight(static_cast<double>(n)); }),
      clock_mode_(config.clock),
      engine_(config.engine, config.shards, hash_key_),
      workers_(config.shards),
      lists_(config.shards),
      list_ids_(config.shards),
      dedup_(config.dedup, hash_key_, store::fork_excluded_memory(), true),
      sla_(config.sla_rules),
      dedup_enabled_(config.dedup.max_ids != 0),
      hash_ids_ahead_(config.dedup.max_ids != 0),
      engine_config_(config.engine),
      dedup_options_(config.dedup),
      sla_rules_(config.sla_rules),
      forecast_config_(config.forecast) {
  feed_stale_after_ = config.wallboard.feed_stale_after;
}

EngineRunner::~EngineRunner() {
  if (thread_.joinable()) drain_and_stop();
}

void EngineRunner::attach_state(std::unique_ptr<DurableState> state,
                                std::optional<StateCodec> codec) {
  durable_ = std::move(state);
  codec_ = std::move(codec);
  ack_after_sync_ = durable_ && durable_->options().sync == config::SyncMode::kAlways;
}

void EngineRunner::start() {
  if (durable_) {
    // Readers get an empty view until the state is back: a throwaway engine's
    // (published snapshots outlive their engine), so the real one is not
    // advanced to the wall clock before its history is replayed.
    core::Engine empty(engine_config_);
    auto view = std::make_shared<View>();
    view->snapshot = empty.snapshot(clock_());
    startup_view_ = std::move(view);
    restoring_.store(true, std::memory_order_release);
    boost::asio::post(io_, [this] { restore(); });
  }
  schedule_tick();
  thread_ = std::thread([this] {
    store::name_this_thread("ccmon-engine");
    io_.run();
  });
}

void EngineRunner::drain_and_stop() {
  boost::asio::post(io_, [this] {
    // A tick already due is queued with success, not cancelled: the flag
    // keeps it from arming the timer again, or io_ would never run out.
    stopping_ = true;
    tick_.cancel();
    if (durable_ && !restoring_) {
      // Clean shutdown: a last snapshot (the next start replays nothing),
      // then the journal's last sync; its report releases the waiting acks.
      take_snapshot(/*now=*/true);
      durable_->sync_and_stop();
    }
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
}

core::Timestamp EngineRunner::now() const {
  if (clock_mode_ == config::ClockMode::kEvent && latest_event_time_ != 0) {
    return latest_event_time_;
  }
  return clock_();
}

void EngineRunner::submit(Batch batch, std::function<void(BatchResult)> done) {
  // On the submitting thread, under the key the duplicate memory uses
  // (published by restore()); apply() checks that it still does.
  const bool ahead = batch.events.size() >= kAheadMinEvents;
  const bool ids = ahead && hash_ids_ahead_.load(std::memory_order_relaxed) &&
                   !restoring_.load(std::memory_order_acquire);
  if (ahead) {
    if (ids) batch.id_hashes.reserve(batch.events.size());
    batch.hashed_ids.reserve(batch.events.size());  // the engine's, whatever its shards
    for (const auto& item : batch.events) {         // one pass over the batch
      const core::Event& e = item.event;
      if (ids) batch.id_hashes.push_back(core::Deduplicator::keyed_hash_of(ahead_key_, e.id));
      batch.hashed_ids.push_back(core::hashed_ids_of(hash_key_, e));
    }
  }
  boost::asio::post(io_, [this, batch = std::move(batch), done = std::move(done)]() mutable {
    if (sync_reports_waiting_.load(std::memory_order_acquire)) take_sync_reports();
    BatchResult result;
    try {
      // The feed is alive whatever becomes of its events (duplicates, a
      // refusal, included).
      if (!batch.events.empty()) {
        auto [it, added] = feeds_.try_emplace(batch.feed, batch.arrival);
        if (!added) it->second = std::max(it->second, batch.arrival);
      }
      if (batch.order_fence && *batch.order_fence) {
        // An earlier batch of its stream was refused: applying this one
        // before that one's resend would reorder the stream.
        result.state_unavailable = true;
      } else {
        apply(batch, result);
      }
    } catch (...) {
      // An exception escaping io_.run() would end the process.
      spdlog::error("applying a batch of {} events failed: {}", batch.events.size(),
                    exception_text(std::current_exception()));
      result = {};
      result.internal_error = true;
    }
    const bool resent = result.state_unavailable || result.internal_error;
    if (resent && batch.order_fence) *batch.order_fence = true;
    admission_.release(batch.admitted);
    const std::size_t n = batch.events.size();
    if (!free_on_.empty() && n >= kAheadMinEvents &&
        unfreed_.load(std::memory_order_relaxed) + n <= admission_.limit()) {
      unfreed_.fetch_add(n, std::memory_order_relaxed);
      const auto& on = free_on_[next_free_on_++ % free_on_.size()];
      boost::asio::post(on, [this, n, events = std::move(batch.events)]() mutable {
        event_pool_.give(std::move(events));  // kept or freed, here
        unfreed_.fetch_sub(n, std::memory_order_relaxed);
      });
    }
    // A request's last batch: the records of its earlier parts (kWithNext)
    // are complete, whether or not this one wrote a record of its own (all
    // duplicates, or a failure) — or records of other bodies still in parts
    // that an ack below waits for.
    if (ack_after_sync_ && !batch.more_parts) durable_->request_sync();
    // `always`: answered once a sync covers everything journaled so far —
    // a batch of duplicates too, since the record of their first acceptance
    // may not be on disk yet.
    if (ack_after_sync_ && !result.state_unavailable && !result.internal_error &&
        durable_->written() > durable_upto_) {
      pending_acks_.push_back({durable_->written(), std::move(done), result});
      return;
    }
    done(result);
  });
}

// Dedup check -> journal -> apply: a batch the journal refuses changes
// nothing, so the client's resend is applied as if it were the first.
void EngineRunner::apply(Batch& batch, BatchResult& result) {
  // A partition's batch goes to its own engine and memory, unjournaled.
  OwnedPartition* owned = nullptr;
  if (batch.partition) {
    const auto it = partitions_.find(batch.partition->key);
    if (it == partitions_.end()) {
      // Disowned while the batch was on its way: its next owner reads it.
      result.state_unavailable = true;
      return;
    }
    owned = it->second.get();
  }
  core::Deduplicator& dedup = owned ? owned->dedup : dedup_;
  DurableState* const journal = owned ? nullptr : durable_.get();
  std::array<std::size_t, core::kEventTypeCount> by_type{};
  const auto& bounds = SelfMetrics::lag_bounds();
  std::vector<double> lag_buckets(bounds.size() + 1, 0.0);
  double lag_sum = 0;
  core::Timestamp latest = latest_event_time_;
  std::vector<state_records::FreshEvent> fresh;  // not duplicates: applied together below
  fresh.reserve(batch.events.size());
  const std::size_t n = batch.events.size();
  hashed_ids_.clear();  // the fresh events' (batch.hashed_ids), in their order
  const bool with_hashed_ids = batch.hashed_ids.size() == n;
  // Dedup horizon runs on the engine's clock, so replays of history
  // remember ids over event time as live traffic does over wall time.
  const auto now_of = [&](std::size_t i) {
    return clock_mode_ == config::ClockMode::kEvent ? std::max(latest, batch.events[i].event.time)
                                                    : batch.arrival;
  };
  const auto accept = [&](std::size_t i, core::Timestamp now) {
    const core::Event& event = batch.events[i].event;
    fresh.push_back({&event, now});
    if (with_hashed_ids) hashed_ids_.push_back(batch.hashed_ids[i]);
    ++by_type[static_cast<std::size_t>(event.type)];
    if (event.time > latest) latest = event.time;
    const double lag = core::to_seconds(batch.arrival - event.time);
    lag_sum += lag;
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), lag) - bounds.begin();
    lag_buckets[static_cast<std::size_t>(bucket)] += 1;
  };
  if (dedup_enabled_) {
    // Each id hashed once, for the lookup, the batch's own ids and the
    // insert below.
    id_hashes_.clear();
    id_hashes_.reserve(n);
    if (batch.id_hashes.size() == n) {
      dedup.hash_all(
          batch.id_hashes, ahead_key_,
          [&](std::size_t i) -> std::string_view { return batch.events[i].event.id; }, id_hashes_);
    } else {
      for (const auto& item : batch.events) id_hashes_.push_back(dedup.hash(item.event.id));
    }
    core::look_up_prefetched(dedup, std::span(id_hashes_), fresh_in_batch_, now_of, accept);
  } else {
    for (std::size_t i = 0; i < n; ++i) accept(i, now_of(i));
  }
  result.accepted = fresh.size();
  result.duplicates = n - fresh.size();
  if (journal && !fresh.empty()) {
    std::string record;
    state_records::encode_batch(fresh, record);
    const auto sync =
        batch.more_parts ? store::Journal::Sync::kWithNext : store::Journal::Sync::kSoon;
    if (const auto appended = journal->append(record, DurableState::RecordKind::kBatch, sync);
        appended.error != 0) {
      spdlog::warn("state: journal write failed ({}); answering state_unavailable",
                   store::error_text(appended.error));
      result = {};
      result.state_unavailable = true;
      return;
    }
    journal_took_record();
  }
  if (dedup_enabled_) {
    // Looked up above: id_hashes_ starts with the fresh ones'.
    core::insert_prefetched(
        dedup, std::span(id_hashes_).first(fresh.size()),
        [&](std::size_t k) { return fresh[k].remembered_at; }, core::BatchIds::kLookedUp);
  }
  std::vector<const core::Event*> events;
  events.reserve(fresh.size());
  for (const auto& f : fresh) events.push_back(f.event);
  apply_to_engine(owned ? owned->engine : engine_, events, hashed_ids_);
  if (owned) {
    if (batch.partition->next_offset >= 0) owned->next_offset = batch.partition->next_offset;
    for (const auto& f : fresh) {
      owned->latest_event_time = std::max(owned->latest_event_time, f.event->time);
    }
  }
  for (int t = 0; t < core::kEventTypeCount; ++t) {
    if (by_type[t] != 0) {
      metrics_.accepted(static_cast<core::EventType>(t), static_cast<double>(by_type[t]));
    }
  }
  if (result.duplicates != 0) metrics_.duplicates(static_cast<double>(result.duplicates));
  if (result.accepted != 0) {
    metrics_.lag_histogram().ObserveMultiple(lag_buckets, lag_sum);
    if (latest != latest_event_time_) {
      latest_event_time_ = latest;
      metrics_.last_event_time(core::to_seconds(latest));
    }
  }
  snapshot_if_journal_recovered();  // last: the batch is remembered and applied
}

template <typename Call>
bool EngineRunner::noting_answers(core::ShardedEngine& engine, Call&& call) {
  const bool on = forecast_config_.needs_answerers();
  engine.note_answers(on);
  std::forward<Call>(call)();
  answerers_.take_answers_of(engine);
  return on;
}

void EngineRunner::apply_to_engine(core::ShardedEngine& engine,
                                   std::span<const core::Event* const> events,
                                   std::span<const core::HashedIds> hashed_ids) {
  const bool answers = noting_answers(engine, [&] {
    if (engine.shard_count() == 1) {
      engine.shard(0).apply(events, hash_key_, hashed_ids);
    } else {
      for (auto& list : lists_) list.clear();
      for (auto& ids : list_ids_) ids.clear();
      // Ids hashed on the io threads go with their events to the shards;
      // else each shard hashes its own.
      const bool ahead = hashed_ids.size() == events.size();
      engine.partition(events, lists_, hash_key_, hashed_ids, ahead ? &list_ids_ : nullptr);
      workers_.run([&](std::size_t i) {
        engine.shard(static_cast<std::uint32_t>(i)).apply(lists_[i], hash_key_, list_ids_[i]);
      });
      // No pointers into the batch outlive it: its events are reused.
      for (auto& list : lists_) list.clear();
    }
  });
  // Agent states; their order against the answers is immaterial (each
  // answer is compared with the agent's mark only when counting).
  if (answers) answerers_.apply(events, hash_key_, hashed_ids);
}

void EngineRunner::request_view(std::function<void(std::shared_ptr<const View>)> done) {
  if (restoring_.load(std::memory_order_acquire)) {
    done(startup_view_);  // /metrics keeps answering during a long replay
    return;
  }
  boost::asio::post(io_, [this, done = std::move(done)]() mutable {
    // Requests queued behind the same batch share one snapshot.
    view_requests_.push_back(std::move(done));
    if (view_requests_.size() == 1) {
      boost::asio::post(io_, [this] { make_views(); });
    }
  });
}

void EngineRunner::make_views() {
  auto view = build_view();
  auto requests = std::move(view_requests_);
  view_requests_.clear();
  for (auto& r : requests) r(view);
}

std::shared_ptr<const View> EngineRunner::build_view() {
  const core::Timestamp t = now();
  // A scrape advances the KPIs but never judges SLA rules: any client can
  // scrape, and transitions (and their log lines) come from the tick alone.
  journal_tick(t, state_records::kScrape);
  auto view = evaluate(t, /*judge_sla=*/false, /*live=*/true);
  snapshot_if_journal_recovered();
  return view;
}

std::shared_ptr<const View> EngineRunner::evaluate(core::Timestamp t, bool judge_sla, bool live) {
  noting_answers(engine_, [&] { engine_.advance(t); });  // held answers given up on
  auto view = std::make_shared<View>();
  view->snapshot = engine_.snapshot(t);
  if (!partitions_.empty()) {
    std::vector<std::shared_ptr<const core::Snapshot>> parts{view->snapshot};
    for (auto& [key, p] : partitions_) {
      noting_answers(p->engine, [&] { p->engine.advance(t); });
      parts.push_back(p->engine.snapshot(t));
    }
    view->snapshot = core::merge_snapshots(parts);
  }
  if (live) {
    const core::Timestamp wall = clock_();
    for (const auto& [feed, last] : feeds_) {
      view->feeds.push_back({feed, last, feed_stale_after_ > 0 && wall - last > feed_stale_after_});
    }
  }
  if (!judge_sla) {
    if (live) {
      view->sla = sla_.states();   // as of the last tick
      view->forecast = forecast_;  // the same; none before the first live tick
    }
    return view;
  }
  sla_.evaluate(*view->snapshot, t);
  auto transitions = sla_.take_transitions();
  if (!live) return view;
  const SlaLog log = sla_log_lines(transitions);
  for (const auto& line : log.lines) {
    if (line.warning) {
      spdlog::warn("{}", line.text);
    } else {
      spdlog::info("{}", line.text);
    }
  }
  view->sla = sla_.states();
  const std::size_t at_risk_suppressed = predict(*view, t);
  const std::uint64_t dropped = sla_.transitions_dropped() - sla_transitions_dropped_;
  sla_transitions_dropped_ = sla_.transitions_dropped();
  if (dropped + log.suppressed + at_risk_suppressed != 0) {
    metrics_.sla_transitions_dropped(
        static_cast<double>(dropped + log.suppressed + at_risk_suppressed));
  }
  return view;
}

std::shared_ptr<const core::Forecast> EngineRunner::compute_forecast(const View& view,
                                                                     core::Timestamp t) const {
  const core::PredictionSetup setup{forecast_config_, engine_config_.windows,
                                    engine_config_.service_level_formula};
  return std::make_shared<const core::Forecast>(
      core::make_forecast(setup, *view.snapshot, sla_.rules(), view.sla,
                          answerers_.counts(t - forecast_config_.answered_lookback)));
}

std::size_t EngineRunner::predict(View& view, core::Timestamp t) {
  answerers_.expire(t - forecast_config_.answered_lookback);
  forecast_ = compute_forecast(view, t);
  view.forecast = forecast_;
  const auto transitions = at_risk_.update(*forecast_);
  const SlaLog log = at_risk_log_lines(transitions);
  for (const auto& line : log.lines) {
    if (line.warning) {
      spdlog::warn("{}", line.text);
    } else {
      spdlog::info("{}", line.text);
    }
  }
  return log.suppressed;
}

void EngineRunner::schedule_tick() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    if (restoring_) return schedule_tick();
    // Live KPIs (oldest waiting) and SLA rules move with time even when no
    // event arrives: evaluate every second, and publish it (the live feed).
    const core::Timestamp t = now();
    journal_tick(t, state_records::kAdvance | state_records::kExpire);
    auto view = evaluate(t, /*judge_sla=*/true, /*live=*/true);
    if (tick_listener_) tick_listener_(std::move(view));
    dedup_.expire(t);
    for (auto& [key, p] : partitions_) p->dedup.expire(t);
    snapshot_if_journal_recovered();  // after the tick's work: it covers the tick
    if (durable_) {
      maybe_snapshot();
      metrics_.enable_state().snapshot_age->Set(durable_->snapshot_age_seconds());
    }
    metrics_.engine_tick();
    schedule_tick();
  });
}

void EngineRunner::reconfigure(const config::Config& config, std::function<void()> done) {
  admission_.set_limit(config.limits.max_events_in_flight);
  hash_ids_ahead_.store(config.dedup.max_ids != 0, std::memory_order_relaxed);
  boost::asio::post(io_,
                    [this, engine = config.engine, dedup = config.dedup, rules = config.sla_rules,
                     mode = config.clock, forecast = config.forecast,
                     stale = config.wallboard.feed_stale_after, done = std::move(done)]() mutable {
                      feed_stale_after_ = stale;
                      engine_config_ = engine;
                      forecast_config_ = std::move(forecast);
                      dedup_options_ = dedup;
                      sla_rules_ = rules;
                      dedup_enabled_ = dedup.max_ids != 0;
                      // A lowered max_held_events gives held answers up:
                      // noted as the new configuration says, learnt before
                      // the snapshot below.
                      for (auto& [key, p] : partitions_) {
                        noting_answers(p->engine, [&] { p->engine.reconfigure(engine); });
                        p->dedup.reconfigure(dedup);
                      }
                      noting_answers(engine_, [&] { engine_.reconfigure(std::move(engine)); });
                      dedup_.reconfigure(dedup);
                      sla_.reconfigure(std::move(rules));
                      clock_mode_ = mode;
                      // The journal never spans a configuration change: a
                      // snapshot of the reconfigured state starts it afresh,
                      // written before anything else is journaled (a crash
                      // must not replay this run's records under the old one).
                      if (durable_) take_snapshot(/*now=*/true);
                      if (done) done();
                    });
}

// --- partition-owned state ---------------------------------------------------

void EngineRunner::own_partition(
    std::string key, std::optional<std::string> image,
    std::function<void(std::string error, std::int64_t next_offset)> done) {
  boost::asio::post(io_, [this, key = std::move(key), image = std::move(image),
                          done = std::move(done)]() mutable {
    auto p = std::make_unique<OwnedPartition>(engine_config_, dedup_options_, hash_key_);
    std::string error;
    if (image) {
      try {
        const std::string extra =
            core::persist::decode_sharded_state(*image, p->engine, p->dedup, p->sla);
        // The image's configuration gives way to the one in force.
        noting_answers(p->engine, [&] { p->engine.reconfigure(engine_config_); });
        p->dedup.reconfigure(dedup_options_);
        const PartitionExtra e = decode_partition_extra(extra);
        p->next_offset = e.next_offset;
        p->imaged_offset = e.next_offset;
        p->latest_event_time = e.latest_event_time;
      } catch (const std::exception& e) {
        error = e.what();
        p = std::make_unique<OwnedPartition>(engine_config_, dedup_options_, hash_key_);
      }
    }
    const std::int64_t next = p->next_offset;
    // In event-clock mode the restored state's newest event is the clock's
    // floor: a tick before the partition's first message must not advance
    // it to the wall clock (expiring its contacts and windows).
    if (clock_mode_ == config::ClockMode::kEvent && p->latest_event_time > latest_event_time_) {
      latest_event_time_ = p->latest_event_time;
      metrics_.last_event_time(core::to_seconds(latest_event_time_));
    }
    partitions_[key] = std::move(p);
    done(std::move(error), next);
  });
}

void EngineRunner::partition_images(std::vector<std::string> keys,
                                    std::function<void(std::vector<PartitionImage>)> done) {
  boost::asio::post(io_, [this, keys = std::move(keys), done = std::move(done)]() mutable {
    std::vector<PartitionImage> images;
    for (const auto& [key, p] : partitions_) {
      if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
      if (p->next_offset < 0 || p->next_offset == p->imaged_offset) continue;  // nothing new
      images.push_back({key,
                        core::persist::encode_sharded_state(
                            p->engine, p->dedup, p->sla,
                            encode_partition_extra({p->next_offset, p->latest_event_time})),
                        p->next_offset});
    }
    done(std::move(images));
  });
}

void EngineRunner::partition_imaged(std::string key, std::int64_t next_offset) {
  boost::asio::post(io_, [this, key = std::move(key), next_offset] {
    if (auto it = partitions_.find(key); it != partitions_.end()) {
      it->second->imaged_offset = next_offset;
    }
  });
}

void EngineRunner::disown_partition(std::string key, std::function<void()> done) {
  boost::asio::post(io_, [this, key = std::move(key), done = std::move(done)]() mutable {
    if (auto it = partitions_.find(key); it != partitions_.end()) partitions_.erase(it);
    done();
  });
}

// --- durable state ----------------------------------------------------------

void EngineRunner::restore() {
  std::function<store::Sequence(std::string_view)> from_snapshot;
  if (codec_) {
    from_snapshot = [this](std::string_view payload) {
      // Another shard count is no damage to fall back past: the snapshot is
      // good, the configuration is not the one it was written under.
      if (const auto written = codec_->shard_count(payload); written != engine_.shard_count()) {
        spdlog::critical(
            "state: {} was written by {} engine shard(s) and state.shards is {}; start with "
            "state.shards: {}, or empty it with ccmond --reset-state (docs/configuration.md, "
            "\"Engine shards\"); not starting",
            durable_->options().dir, written, engine_.shard_count(), written);
        std::_Exit(1);
      }
      auto extra = state_records::decode_extra(codec_->decode(payload, engine_, dedup_, sla_));
      latest_event_time_ = extra.latest_event_time;
      answerers_.restore(std::move(extra.answerers));
      return extra.sequence;
    };
  }
  DurableState::Recovery r;
  try {
    r = durable_->recover(from_snapshot,
                          [this](std::string_view record) { return replay(record); });
  } catch (const std::exception& e) {
    // The directory cannot be read at all (permissions, I/O errors): no
    // state can be trusted, and starting empty would hide it.
    spdlog::critical("state: cannot read {}: {}; not starting", durable_->options().dir, e.what());
    std::_Exit(1);
  }
  if (codec_) {
    // The snapshot brought the configuration of its time, and the journal
    // after it was written under that one too (a reload writes a snapshot);
    // the configuration in force now applies last, by the rules of a reload.
    const bool unchanged = r.from_snapshot && restored_configuration_in_force();
    // The restore built fresh shards, noting nothing.
    noting_answers(engine_, [&] { engine_.reconfigure(engine_config_); });
    dedup_.reconfigure(dedup_options_);
    sla_.reconfigure(sla_rules_);
    // Then, unless the configuration is the snapshot's, a snapshot written
    // before ready: the journal this run writes must never be replayed under
    // an older configuration after a crash, and a fresh directory gets the
    // base its journal needs. An unchanged one lets the journal go on.
    if (!unchanged) take_snapshot(/*now=*/true);
  }
  replay_record_ = {};
  if (latest_event_time_ != 0) metrics_.last_event_time(core::to_seconds(latest_event_time_));
  durable_upto_ = durable_->written();  // what recovery read is on disk
  durable_->start_sync([this](const store::SyncReport& report) {
    bool first = false;
    {
      std::lock_guard lock(sync_reports_mutex_);
      first = sync_reports_.empty();
      sync_reports_.push_back(report);
      sync_reports_waiting_.store(true, std::memory_order_release);
    }
    if (first) boost::asio::post(io_, [this] { take_sync_reports(); });
  });
  spdlog::info(
      "state: restored from {} in {:.3f} s: snapshot at record {}, {} journal records replayed, "
      "{} cut, {} damaged snapshots skipped",
      durable_->options().dir, r.seconds, r.snapshot, r.replayed, r.cut_records, r.fallbacks);
  // Ids are hashed ahead under the restored memory's key (a v2+ image's).
  ahead_key_ = dedup_.hash_key();
  // startup_view_ stays: a reader that saw restoring_ may still be copying it.
  restoring_.store(false, std::memory_order_release);
}

bool EngineRunner::replay(std::string_view bytes) {
  state_records::Record& record = replay_record_;
  try {
    state_records::decode_record(bytes, record);
  } catch (const state_records::RecordError& e) {
    spdlog::error("state: unreadable journal record: {}", e.what());
    return false;
  }
  if (record.type == state_records::RecordType::kBatch) {
    // As in apply(): ids hashed first, then inserted with the memory's
    // slots prefetched (a replay is the engine thread alone, bound by misses).
    const std::size_t n = record.events.size();
    if (dedup_.options().max_ids != 0) {  // the restored memory's own
      id_hashes_.clear();
      for (const core::Event& e : record.events) id_hashes_.push_back(dedup_.hash(e.id));
      core::insert_prefetched(
          dedup_, id_hashes_, [&](std::size_t i) { return record.remembered_at[i]; },
          core::BatchIds::kUnchecked);
    }
    std::vector<const core::Event*> events;
    events.reserve(n);
    for (const core::Event& e : record.events) {
      events.push_back(&e);
      latest_event_time_ = std::max(latest_event_time_, e.time);
    }
    apply_to_engine(engine_, events);
  } else {
    if (record.what & state_records::kAdvance) evaluate(record.now, true, /*live=*/false);
    if (record.what & state_records::kScrape) evaluate(record.now, false, /*live=*/false);
    if (record.what & state_records::kExpire) dedup_.expire(record.now);
  }
  return true;
}

void EngineRunner::journal_tick(core::Timestamp t, std::uint8_t what) {
  if (!durable_ || restoring_) return;
  // Applied even when the journal refuses it (the views must go on); a
  // snapshot covers it once the journal works again.
  if (durable_->append(state_records::encode_tick(t, what), DurableState::RecordKind::kTick)
          .error != 0) {
    tick_not_journaled_ = true;
  } else {
    journal_took_record();
  }
}

void EngineRunner::journal_took_record() {
  if (!tick_not_journaled_) return;
  tick_not_journaled_ = false;
  recovery_snapshot_due_ = true;
}

void EngineRunner::snapshot_if_journal_recovered() {
  if (!recovery_snapshot_due_) return;
  recovery_snapshot_due_ = false;
  take_snapshot(/*now=*/false);
}

void EngineRunner::end_parts() {
  if (!ack_after_sync_) return;  // set before start()
  boost::asio::post(io_, [this] { durable_->request_sync(); });
}

void EngineRunner::take_sync_reports() {
  std::vector<store::SyncReport> reports;
  {
    std::lock_guard lock(sync_reports_mutex_);
    reports.swap(sync_reports_);
    sync_reports_waiting_.store(false, std::memory_order_relaxed);
  }
  for (const auto& report : reports) on_synced(report);
}

void EngineRunner::on_synced(const store::SyncReport& report) {
  if (report.error == 0) durable_upto_ = std::max(durable_upto_, report.durable);
  while (!pending_acks_.empty() && pending_acks_.front().needs <= report.durable) {
    auto ack = std::move(pending_acks_.front());
    pending_acks_.pop_front();
    if (report.error != 0) {
      // Applied, but not known to be on disk: the client resends, and the
      // resend is answered as duplicates.
      ack.result = {};
      ack.result.state_unavailable = true;
    }
    ack.done(ack.result);
  }
}

void EngineRunner::maybe_snapshot() {
  if (codec_ && durable_->snapshot_due(std::chrono::steady_clock::now())) take_snapshot(false);
}

void EngineRunner::take_snapshot(bool now) {
  if (!codec_) return;
  const store::Sequence sequence = durable_->written();
  const auto extra = [this, sequence] {
    return state_records::encode_extra({sequence, latest_event_time_, answerers_.entries()});
  };
  if (!now) {
    // Runs in the snapshot process, the extra too: no work before the fork
    // (on the engine thread only when the fork fails).
    return durable_->write_snapshot(sequence, [this, extra](const store::PayloadSink& sink) {
      codec_->encode_to(engine_, dedup_, sla_, extra(), sink);
    });
  }
  const auto start = std::chrono::steady_clock::now();
  std::string payload = codec_->encode(engine_, dedup_, sla_, extra());
  const double encode_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  durable_->write_snapshot_now(sequence, std::move(payload), encode_seconds);
}

bool EngineRunner::restored_configuration_in_force() const {
  // The codec writes a configuration the same way every time, so equal
  // images of empty states mean equal configurations.
  const auto image = [this](const core::EngineConfig& engine, const core::DedupOptions& dedup,
                            const std::vector<core::SlaRule>& rules) {
    core::ShardedEngine e(engine, 1);
    core::Deduplicator d(dedup);
    core::SlaEvaluator s(rules);
    return codec_->encode(e, d, s, {});
  };
  return image(engine_.config(), dedup_.options(), sla_.rules()) ==
         image(engine_config_, dedup_options_, sla_rules_);
}

}  // namespace ccmon::server
