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

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
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

// An agent's own figures for the local day that starts at `day` (the window
// store's day_start() when they were last written): read as zero once the
// day has rolled, and reset by the next write (AgentBook::day_of).
struct AgentDay {
  Timestamp day = kNever;
  std::uint32_t handled = 0;                      // segments ended (docs/kpis.md, handled)
  Duration handle_sum = 0;                        // their talk + hold + ACW, us
  Duration available = 0, busy = 0, wrap_up = 0;  // closed state time, us
};

struct Agent {
  Timestamp since = kNever;
  Timestamp last_wrap = kNever;  // end of its last segment, for time between contacts
  LabelId team = kNoLabel;
  bool has_state = false;
  AgentState state = AgentState::kOffline;
  std::vector<Handle> acw;               // contacts whose ACW may end at the next state change
  std::vector<AgentTransition> history;  // the last kAgentHistory changes, by time
  Handle contact;      // the contact it answered last (current while active and its agent)
  std::string reason;  // the latest agent.state's reason ("" when none)
  AgentDay today;
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
  // `hash`, when the caller has it, is table().hash_of(id).
  std::uint32_t touch_or_insert(std::string_view id) {
    return touch_or_insert(id, table_.hash_of(id));
  }
  std::uint32_t touch_or_insert(std::string_view id, std::uint64_t hash);

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

  // The agent's figures of the day starting at `day_start`, reset first
  // when they belong to an earlier day.
  AgentDay& day_of(std::uint32_t a, Timestamp day_start) {
    AgentDay& d = table_[a].today;
    if (d.day != day_start) d = AgentDay{day_start};
    return d;
  }
  // Sets the reason of the latest state (kept in bytes()).
  void set_reason(std::uint32_t a, std::string_view reason) {
    const std::size_t before = bytes_of(a);
    table_[a].reason.assign(reason);
    bytes_ = bytes_ - before + bytes_of(a);
  }

  // The agent's ACW list, edited by f(std::vector<Handle>&): the one way
  // to change it, so that bytes() follows its size.
  template <typename F>
  void edit_acw(std::uint32_t a, F&& f) {
    const std::size_t before = bytes_of(a);
    f(table_[a].acw);
    bytes_ = bytes_ - before + bytes_of(a);
  }

  // Evicts the least recently active agent, as the cap does, for the byte
  // bound (state.max_tracked_bytes); counted in both totals below.
  void evict_oldest_for_bytes();
  // Every eviction (count cap, byte bound) / those for the byte bound.
  std::uint64_t evicted_total() const { return evicted_; }
  std::uint64_t byte_bound_evictions_total() const { return byte_bound_evictions_; }

  // Estimated bytes of the tracked agents, kept up to date on every insert,
  // eviction and change of an agent's lists: O(1) per change.
  std::size_t bytes() const { return bytes_; }
  // The estimate for one agent: its table record (LruTable::kRecordBytes,
  // 272 bytes on x86-64), its id's heap part, and its ACW list and state
  // history at the capacity push_back gives them (list_bytes; a full
  // history counts 2 * kAgentHistory entries: the insert before the trim
  // doubles it). From sizes, not capacity(), so that a restored agent
  // (whose vectors are sized exactly) counts as before.
  std::size_t bytes_of(std::uint32_t a) const {
    const Agent& ag = table_[a];
    const std::size_t history =
        ag.history.size() == kAgentHistory ? 2 * kAgentHistory : ag.history.size();
    return LruTable<Agent>::kRecordBytes() + LruTable<Agent>::key_heap_bytes(table_.key(a)) +
           list_bytes(ag.acw.size(), sizeof(Handle)) +
           list_bytes(history, sizeof(AgentTransition)) + reason_heap_bytes(ag.reason.size());
  }
  // A reason longer than libstdc++'s inline 15 characters takes its length
  // plus the terminator on the heap.
  static constexpr std::size_t reason_heap_bytes(std::size_t n) { return n > 15 ? n + 1 : 0; }
  // A vector filled by push_back holds the next power of two >= its size.
  static constexpr std::size_t list_bytes(std::size_t n, std::size_t element) {
    return n == 0 ? 0 : std::bit_ceil(n) * element;
  }
  // Recomputes bytes() from the records (after the state codec restored
  // them: the total is derived, never written). O(agents).
  void recount_bytes();

 private:
  friend struct persist::Access;

  void remember(std::uint32_t a, std::vector<AgentTransition>::const_iterator at,
                AgentTransition tr);
  void evict(std::uint32_t a);

  LruTable<Agent> table_;
  std::size_t cap_ = 100'000;
  std::uint64_t evicted_ = 0;
  std::uint64_t byte_bound_evictions_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace ccmon::core::engine_detail
