// The held events of unordered delivery (docs/events.md "Unordered
// delivery"): a contact's or case's event that does not fit its state yet
// (an answer before its queueing) waits here until the event it depends on
// arrives, or until its lateness has passed.
//
// Invariants: every held event is in both indexes (by due time, and by the
// contact or case it waits on); at most `max` are held when the engine has
// enforced its cap. The book decides nothing: the attribution says what
// fits, the engine state when to hold, retry and give up (attribution.cpp).
// Memory: one Event copy (its strings) plus two index entries per held event,
// bounded by state.max_held_events.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine/persist_access.hpp"
#include "core/event.hpp"
#include "core/time.hpp"

namespace ccmon::core::engine_detail {

// What a held event waits on: a contact or a case of that id.
enum class HeldKind : std::uint8_t { kContact, kCase };

struct HeldEvent {
  Event event;
  Timestamp due = 0;      // event time + lateness: given up at this engine time
  std::uint64_t seq = 0;  // arrival order among held events (ties of due)
};

class HeldBook {
 public:
  // Holds a copy of `e` (waiting on its contact or case) until `due`.
  void hold(HeldKind kind, const Event& e, Timestamp due);
  // Held events waiting on this contact or case?
  bool any_for(HeldKind kind, std::string_view id) const {
    return !by_key_.empty() && by_key_.find(key(kind, id)) != by_key_.end();
  }
  // Removes and returns the events waiting on this contact or case, in event
  // time order (ties: arrival order). Give back the ones still unfit with
  // put_back.
  std::vector<HeldEvent> take(HeldKind kind, std::string_view id);
  void put_back(HeldKind kind, HeldEvent h);
  // The due time of the event held longest (the smallest), or kNoDue.
  static constexpr Timestamp kNoDue = std::numeric_limits<Timestamp>::max();
  Timestamp next_due() const { return by_due_.empty() ? kNoDue : by_due_.begin()->first.first; }
  // Removes and returns the event with the smallest due time; only when size() > 0.
  std::pair<HeldKind, HeldEvent> pop_oldest();

  // Calls f(event) for every event held waiting on a contact or a case of `kind`.
  template <typename F>
  void for_each(HeldKind kind, F&& f) const {
    for (const auto& [k, entry] : by_due_) {
      if (entry.kind == kind) f(entry.held.event);
    }
  }

  std::size_t size() const { return by_due_.size(); }
  std::uint64_t evicted_total() const { return evicted_; }
  void count_eviction() { ++evicted_; }

 private:
  friend struct persist::Access;

  using DueKey = std::pair<Timestamp, std::uint64_t>;  // (due, seq)
  struct Entry {
    HeldKind kind;
    HeldEvent held;
  };
  static std::string key(HeldKind kind, std::string_view id) {
    std::string k(1, static_cast<char>(kind));
    k.append(id);
    return k;
  }
  static std::string_view id_of(HeldKind kind, const Event& e) {
    return kind == HeldKind::kContact ? std::string_view(e.contact) : std::string_view(e.case_id);
  }
  void unindex(HeldKind kind, const HeldEvent& h);

  // Ordered maps: keyed by client strings, so no hash a client could flood.
  std::map<DueKey, Entry> by_due_;
  std::map<std::string, std::vector<DueKey>, std::less<>> by_key_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t evicted_ = 0;
};

}  // namespace ccmon::core::engine_detail
