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
//
// The index by contact or case is a hash table under the engine's secret key
// (core/hash/keyed_hash.hpp), so crafted ids cannot flood it, and a contact's
// lookup reuses the hash the engine computed for the contact table. Every
// applied event asks any_for: as a tree of id strings, the lookups were
// 6.6 % of the daemon's engine thread on the large center's day
// (docs/benchmarks.md, "The run at e8f5419").
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine/persist_access.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
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
  // The key of id_hash; the engine's, so a contact's hash is the contact
  // table's (ContactBook::hash_of). Set before anything is held.
  void set_hash_key(const HashKey& key) { key_ = key; }
  // keyed_hash of a contact or case id under that key.
  std::uint64_t id_hash(std::string_view id) const { return keyed_hash(key_, id); }

  // Holds a copy of `e` (waiting on its contact or case, whose id_hash is
  // `hash`) until `due`.
  void hold(HeldKind kind, const Event& e, std::uint64_t hash, Timestamp due);
  // Held events waiting on this contact or case (`hash` its id_hash)?
  bool any_for(HeldKind kind, std::string_view id, std::uint64_t hash) const {
    return !by_key_.empty() && by_key_.contains(IdView{hash, kind, id});
  }
  // Removes and returns the events waiting on this contact or case, in event
  // time order (ties: arrival order). Give back the ones still unfit with
  // put_back.
  std::vector<HeldEvent> take(HeldKind kind, std::string_view id, std::uint64_t hash);
  void put_back(HeldKind kind, std::uint64_t hash, HeldEvent h);
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
    std::uint64_t hash;  // id_hash of the id it waits on
    HeldEvent held;
  };
  // The index's key: a contact or case id with its id_hash, which is the
  // table's hash (equal ids, equal hashes). Lookups by IdView build no string.
  struct IdView {
    std::uint64_t hash;
    HeldKind kind;
    std::string_view id;
  };
  struct IdKey {
    std::uint64_t hash;
    HeldKind kind;
    std::string id;
  };
  struct IdHasher {
    using is_transparent = void;
    std::size_t operator()(const IdKey& k) const { return k.hash; }
    std::size_t operator()(const IdView& k) const { return k.hash; }
  };
  struct IdEq {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.hash == b.hash && a.kind == b.kind &&
             std::string_view(a.id) == std::string_view(b.id);
    }
  };
  static std::string_view id_of(HeldKind kind, const Event& e) {
    return kind == HeldKind::kContact ? std::string_view(e.contact) : std::string_view(e.case_id);
  }
  void index(HeldKind kind, std::uint64_t hash, std::string_view id, DueKey k);
  void unindex(const Entry& e);

  std::map<DueKey, Entry> by_due_;  // ordered: next_due and eviction take the smallest
  absl::flat_hash_map<IdKey, std::vector<DueKey>, IdHasher, IdEq> by_key_;
  HashKey key_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t evicted_ = 0;
};

}  // namespace ccmon::core::engine_detail
