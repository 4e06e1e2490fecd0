// The engine's private state, in four parts that each own their data and
// keep their own invariants:
//
//   ContactBook  contact records, the waiting lists and active counts per
//                series, ACW timeouts                 (contact_book.hpp)
//   AgentBook    agent states and teams, recent changes (agent_book.hpp)
//   CaseBook     case records, open cases per series   (case_book.hpp)
//   WindowStore  labels, series and teams: trailing windows, today, the
//                since-start counters                  (window_store.hpp)
//   HeldBook     events held for unordered delivery    (held_book.hpp)
//
// The attribution (attribution.cpp) is the one place that turns an event
// into book transitions and window deltas: which series, team and time each
// KPI quantity goes to (docs/kpis.md). Snapshots (engine_snapshot.cpp) read
// the parts and never change them, apart from expiring old buckets.
//
// Everything here is plain data: ids, indices, handles and timestamps, no
// pointers between records, so the state can be written out and read back.
// Only engine*.cpp, attribution.cpp, the state codec (core/persist) and the
// engine tests include this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/engine/agent_book.hpp"
#include "core/engine/answer_log.hpp"
#include "core/engine/case_book.hpp"
#include "core/engine/contact_book.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/held_book.hpp"
#include "core/engine/shard_of.hpp"
#include "core/engine/snapshot_pool.hpp"
#include "core/engine/window_store.hpp"

namespace ccmon::core::engine_detail {

struct EngineState {
  EngineConfig config;
  ContactBook contacts;
  AgentBook agents;
  CaseBook cases;
  WindowStore store;
  HeldBook held;
  std::uint64_t out_of_sequence_total = 0;
  std::uint64_t series_folded_total = 0;
  ShardPlace place;  // not written out: a sharded engine's own (sharded_engine.hpp)
  // Nor this: the answers noted for the owner's answer memory (Engine::note_answers).
  AnswerLog answers;

  // Derived, not state: the snapshot's output order (series and team indices
  // sorted by name, extended when one is added) and its recycled storage.
  std::vector<std::uint32_t> series_order, team_order;
  SnapshotPool snapshots;

  // `key`: the secret key of every table keyed by client strings (contact,
  // agent and case ids, label values), core/hash/keyed_hash.hpp.
  EngineState(EngineConfig c, const HashKey& key) {
    contacts.set_hash_key(key);
    agents.set_hash_key(key);
    cases.set_hash_key(key);
    held.set_hash_key(key);
    store.set_hash_key(key);
    configure(std::move(c));
  }
  const HashKey& hash_key() const { return contacts.table().hash_key(); }
  // Whether agent `a`'s time and presence count in this shard (ShardPlace).
  bool homed(std::uint32_t a) const {
    return place.count <= 1 || shard_of(agents.table().key(a), place.count) == place.index;
  }
  // Applies a (re)configuration, keeping all state that still fits.
  void configure(EngineConfig c);

  // Applies one event (attribution.cpp); `contact_hash` is
  // contacts.hash_of(e.contact), which batch callers have computed
  // already to prefetch, and `agent_hash`, when given, agents' hash of
  // e.agent (made ahead on another thread).
  ApplyResult apply(const Event& e, std::uint64_t contact_hash,
                    std::optional<std::uint64_t> agent_hash = std::nullopt);
  ApplyResult apply(const Event& e) { return apply(e, contacts.hash_of(e.contact)); }
  // Gives up the held events due at `now` and, past max_held_events, the
  // ones held longest: each is applied as if never held, out of sequence
  // when it still does not fit (attribution.cpp).
  void release_held(Timestamp now);
  // Ends a contact's ACW at t, as a wrap would (attribution.cpp).
  void close_acw(std::uint32_t c, Timestamp t);
  // Closes timed-out ACW, evicts idle contacts and cases, rolls the day.
  void advance(Timestamp now);
  // Estimated bytes of the tracked contacts, cases and agents.
  std::size_t tracked_bytes() const { return contacts.bytes() + cases.bytes() + agents.bytes(); }
  // While tracked_bytes() exceeds config.max_tracked_bytes, evicts the least
  // recently touched record of the kind holding the most bytes, through the
  // book's own eviction (as its count cap does). Amortised O(1) per event:
  // each record is evicted at most once after being inserted.
  void enforce_byte_bound();
  // The counters of EngineStats, with the tracked sizes.
  EngineStats stats() const;
  // Every KPI as of `now` (engine_snapshot.cpp).
  std::shared_ptr<const Snapshot> snapshot(Timestamp now);
  // The snapshot's agents and today's intervals (engine_snapshot.cpp).
  void agent_rows(Timestamp now, bool today, Snapshot& snap) const;
  void interval_rows(Timestamp now, bool today, Snapshot& snap) const;
};

}  // namespace ccmon::core::engine_detail

namespace ccmon::core {

struct Engine::State : engine_detail::EngineState {
  using EngineState::EngineState;
};

}  // namespace ccmon::core
