// The KPI engine: contact/agent/case state and rolling-window aggregators.
// Single-threaded by design: one owner applies events and takes snapshots
// (server/engine_runner); snapshots are immutable and shared with readers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/engine/engine_config.hpp"
#include "core/engine/hashed_ids.hpp"
#include "core/engine/persist_access.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

struct Snapshot;  // core/engine/snapshot.hpp

// kHeld: the event does not fit its contact's or case's state yet and waits
// for the event it depends on, for the configured lateness (docs/events.md
// "Unordered delivery"); it is applied, or counted out of sequence, later.
enum class ApplyResult { kApplied, kOutOfSequence, kHeld };

struct EngineStats {
  std::uint64_t tracked_contacts = 0;
  std::uint64_t tracked_cases = 0;
  std::uint64_t tracked_agents = 0;
  std::uint64_t out_of_sequence_total = 0;
  std::uint64_t evicted_contacts_total = 0;
  std::uint64_t evicted_cases_total = 0;
  std::uint64_t evicted_agents_total = 0;  // past max_tracked_agents or max_tracked_bytes
  // The evictions above that were for max_tracked_bytes.
  std::uint64_t contact_byte_bound_evictions_total = 0;
  std::uint64_t case_byte_bound_evictions_total = 0;
  std::uint64_t agent_byte_bound_evictions_total = 0;
  // Estimated bytes of the tracked contacts, cases and agents (the measure
  // max_tracked_bytes bounds).
  std::uint64_t tracked_state_bytes = 0;
  std::uint64_t series_folded_total = 0;
  // Unordered delivery: events held now, and those given up because
  // state.max_held_events was reached (each also out of sequence if it
  // still did not fit).
  std::uint64_t held_events = 0;
  std::uint64_t held_events_evicted_total = 0;
};

// Where an engine stands among the shards of a ShardedEngine
// (core/engine/sharded_engine.hpp, docs/architecture.md "Sharding"). An
// agent's state changes reach its home shard (shard_of(agent id, count) ==
// index, core/engine/shard_of.hpp) and the shards its contacts went to; its
// time in a state is credited to its team only by the home shard, which
// alone counts it among a team's agents now and judges its late state
// changes, so the teams of the shards add up without counting twice.
// {0, 1}, the default, is a whole engine.
struct ShardPlace {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

// The contact events that need an earlier event of their contact (an
// answer its queueing): held when they arrive first (docs/events.md
// "Unordered delivery").
bool needs_earlier_contact_event(EventType t);

class Engine {
 public:
  // `hash_key`: the secret key under which client strings (contact, agent
  // and case ids, label values) are hashed (core/hash/keyed_hash.hpp). A
  // daemon facing clients passes a random one; the default all-zero key is
  // for tests and tools. Kept across reconfigure and a state restore.
  explicit Engine(EngineConfig config, const HashKey& hash_key = {}, ShardPlace place = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one validated, de-duplicated event. Never throws on any input.
  // Agent-state time is noted as spans and split into the team windows'
  // buckets later, in one sweep (flush_deferred()).
  ApplyResult apply(const Event& event);

  // Applies events in order, exactly as apply() one by one would; faster,
  // because it fetches the state of later events into cache while applying
  // earlier ones (contact lookups are the engine's cache misses).
  void apply(std::span<const Event* const> events);
  // The same with each event's contact and agent ids hashed ahead, on
  // another thread: hashed[i] holds events[i]'s under `key`. Used when `key`
  // is this engine's and there is one per event; else hashed here. (Events
  // held and applied later, and a transfer's to_agent, are hashed here.)
  void apply(std::span<const Event* const> events, const HashKey& key,
             std::span<const HashedIds> hashed);

  // Moves time forward: evicts idle state, closes timed-out after-contact
  // work, gives up held events whose lateness has passed (`now` is the
  // engine's clock). Called every tick; cheap when nothing is due.
  void advance(Timestamp now);

  // An immutable view of every KPI as of `now`.
  std::shared_ptr<const Snapshot> snapshot(Timestamp now);

  // Applies a reloaded configuration, keeping all state that still fits.
  void reconfigure(EngineConfig config);

  // Completes the window writes apply() defers: splits the agent-state
  // spans noted since the last flush into the team windows' buckets
  // (core/engine/window.hpp, Window::add_span), and adds each series' and
  // team's staged bucket (its deltas in one bucket of the finest window's
  // width, the newest written since the last flush) to its windows
  // (WindowStore::record). It changes no KPI: advance(), snapshot(),
  // reconfigure() and the state codec call it before they read the
  // windows, and apply() calls it once the spans pending reach a bound
  // (WindowStore::kMaxPendingSpans), so the windows read and persist as if
  // every write had been made at once, and what waits takes bounded memory
  // (a span per state change, a bucket per series and team). Deferring saves
  // one sweep over the covered buckets of every team window per batch, and
  // all but one add per window and fine bucket of a series or team
  // (docs/kpis.md, "Performance"). Const because it only completes writes
  // already made; like every call, not concurrently with another call on
  // this engine.
  void flush_deferred() const;
  // The configuration in force (the last constructed, reconfigured or restored).
  const EngineConfig& config() const;
  // The key client strings are hashed under (the constructor's hash_key).
  const HashKey& hash_key() const;

  // For the forecast's answer memory (core/prediction/recent_answerers.hpp):
  // while on, every contact.answered this engine attributes with an agent
  // is noted as (the series it was counted in, the agent, its time). Off
  // by default; turning it off forgets what was noted. Kept across
  // reconfigure and persist::decode_state into this engine; never written
  // out (a ShardedEngine restored by decode_sharded_state has fresh shards,
  // noting off).
  void note_answers(bool on);
  // Calls f(queue, channel, agent, agent_hash, at) for each answer noted
  // since the last call, in the order attributed, then forgets them. queue
  // and channel are the series' labels as snapshots name them (`unknown`,
  // or `other` once folded); agent_hash is keyed_hash(hash_key, agent)
  // under the key this engine was made with (the agent's record holds it:
  // no hash is made here); the views last for the call. The owner takes
  // them after each apply(), advance() and reconfigure() (the engine runner
  // does), so what is noted stays within one call's answers: a batch's, or
  // the held ones one advance() or reconfigure() gives up.
  using AnswerSink =
      std::function<void(std::string_view queue, std::string_view channel, std::string_view agent,
                         std::uint64_t agent_hash, Timestamp at)>;
  void take_answers(const AnswerSink& f);

  EngineStats stats() const;

  // For a sharded engine's router: whether agent `id` has a record here,
  // and the agent.state event that would set its current state (state,
  // since, team, reason; no event id), nullopt when it has none. `hash` is
  // keyed_hash(key, id) under this engine's key. O(1) expected; no change.
  bool knows_agent(std::string_view id, std::uint64_t hash) const;
  std::optional<Event> agent_state_now(std::string_view id, std::uint64_t hash) const;

  // Removes and returns the events held for contact `id` (unordered
  // delivery: waiting for an earlier event of it), in event time order. A
  // sharded engine moves them to the shard the contact turned out to live in.
  std::vector<Event> take_held(std::string_view contact);

  // Calls contact(id, last event time, whether it is placed here: its queue
  // known and not transferred away) for
  // every tracked contact, held(event) for every event held for a
  // contact, then case_(id, last event time) for every tracked case (a
  // sharded engine's router learns from them where contacts and cases live
  // after a restore). Any order.
  void for_each_tracked(const std::function<void(std::string_view, Timestamp, bool)>& contact,
                        const std::function<void(const Event&)>& held,
                        const std::function<void(std::string_view, Timestamp)>& case_) const;

 private:
  friend struct persist::Access;  // the state codec (core/persist)

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ccmon::core
