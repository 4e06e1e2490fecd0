// The agent book: every tracked agent's current state and team, its recent
// state changes (so that a late one can be slotted in), the segment end that
// starts its time between contacts, and the contacts whose ACW its next
// state change may end.
//
// Invariants:
// - `history` is sorted by time, holds at most kAgentHistory changes, and
//   its last entry is the current (state, team, since) once has_state;
// - at most the configured cap of agents is tracked: past it the least
//   recently active agent is evicted (counted in evicted_total()).
// The book does not record time in state: it returns the intervals a change
// closes or re-splits, and the attribution credits them to teams.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/engine/labels.hpp"
#include "core/engine/lru_table.hpp"
#include "core/engine/persist_access.hpp"
#include "core/engine/window_store.hpp"
#include "core/event.hpp"

namespace ccmon::core::engine_detail {

// One of an agent's recent state changes.
struct AgentTransition {
  Timestamp at = 0;
  AgentState state = AgentState::kOffline;
  LabelId team = kNoLabel;
};
inline constexpr std::size_t kAgentHistory = 16;

struct Agent {
  Timestamp since = kNever;
  Timestamp last_wrap = kNever;  // end of its last segment, for time between contacts
  LabelId team = kNoLabel;
  bool has_state = false;
  AgentState state = AgentState::kOffline;
  std::vector<Handle> acw;               // contacts whose ACW may end at the next state change
  std::vector<AgentTransition> history;  // the last kAgentHistory changes, by time
};

// Time an agent spent in `state` for `team`, [from, to).
struct StateInterval {
  Timestamp from = 0, to = 0;
  AgentState state = AgentState::kOffline;
  LabelId team = kNoLabel;
};

class AgentBook {
 public:
  void set_cap(std::size_t max_tracked) { cap_ = max_tracked; }
  // The key ids are hashed under; set while the book is empty.
  void set_hash_key(const HashKey& key) { table_.set_hash_key(key); }
  const LruTable<Agent>& table() const { return table_; }

  // The agent's record, marked most recently active; created when absent
  // (evicting the least recently active one at the cap).
  std::uint32_t touch_or_insert(std::string_view id);

  Agent& operator[](std::uint32_t a) { return table_[a]; }
  const Agent& operator[](std::uint32_t a) const { return table_[a]; }
  Handle handle(std::uint32_t a) const { return table_.handle(a); }
  bool valid(Handle h) const { return table_.valid(h); }
  std::size_t size() const { return table_.size(); }
  template <typename F>
  void for_each(F&& f) const {
    table_.for_each(f);
  }

  // A state change at t >= the current one's time: the agent is now in
  // `state` (team: the new team, kNoLabel to keep the current one). Returns
  // the interval it leaves, if it had a state.
  std::optional<StateInterval> change_state(std::uint32_t a, Timestamp t, AgentState state,
                                            LabelId team);

  // A state change older than the current one. The position it takes among
  // the remembered changes, or nullopt when it is older than all of them
  // (out of sequence).
  std::optional<std::size_t> late_position(std::uint32_t a, Timestamp t) const;
  // The change it follows (whose team a late change without one keeps).
  const AgentTransition& before(std::uint32_t a, std::size_t position) const {
    return table_[a].history[position - 1];
  }
  // Inserts a late change at `position`; returns the re-split interval
  // [t, next change): it was credited to before(position) and now belongs
  // to (state, team).
  StateInterval insert_late(std::uint32_t a, std::size_t position, Timestamp t, AgentState state,
                            LabelId team);

  // Time between contacts: a segment of the agent ended at t; an answer at t
  // takes the gap since the last end (once: concurrent answers do not reuse
  // it). Both ignore an invalid (evicted or absent) agent.
  void segment_ended(Handle agent, Timestamp t);
  std::optional<Duration> take_gap(Handle agent, Timestamp t);

  std::uint64_t evicted_total() const { return evicted_; }

 private:
  friend struct persist::Access;

  static void remember(Agent& ag, std::vector<AgentTransition>::const_iterator at,
                       AgentTransition tr);

  LruTable<Agent> table_;
  std::size_t cap_ = 100'000;
  std::uint64_t evicted_ = 0;
};

}  // namespace ccmon::core::engine_detail
