// The case book: every tracked case (opened, escalated, resolved) and, per
// series, the number of open cases.
//
// Invariants: a series' `active` count is the number of tracked open cases
// of that series, never negative; `open` changes only through open() and
// resolve(); at most the configured cap of cases is tracked (the least
// recently touched is evicted first, counted in evicted_total()).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/engine/lru_table.hpp"
#include "core/engine/persist_access.hpp"
#include "core/engine/window_store.hpp"

namespace ccmon::core::engine_detail {

struct Case {
  Timestamp opened_at = kNever;
  Timestamp last_event = kNever;
  Timestamp resolved_at = kNever;  // the resolution counted last
  std::uint32_t series = kNil;
  bool open = false, escalated = false, resolved = false;  // open: written by the book
  bool first_contact = false;  // that resolution counted as first-contact
  bool reopened = false;       // reopened at least once: never first-contact again
};

class CaseBook {
 public:
  void set_cap(std::size_t max_tracked) { cap_ = max_tracked; }
  // The key ids are hashed under; set while the book is empty.
  void set_hash_key(const HashKey& key) { table_.set_hash_key(key); }
  const LruTable<Case>& table() const { return table_; }

  std::uint32_t find(std::string_view id) const { return table_.find(id); }
  void touch(std::uint32_t k) { table_.touch(k); }
  // A new record for an absent id, evicting the least recently touched at the cap.
  std::uint32_t insert(std::string_view id);

  Case& operator[](std::uint32_t k) { return table_[k]; }
  const Case& operator[](std::uint32_t k) const { return table_[k]; }
  std::size_t size() const { return table_.size(); }

  // A fresh case opens at t in `series` / a case is resolved at t (closing it if open).
  void open(std::uint32_t k, Timestamp t, std::uint32_t series);
  void resolve(std::uint32_t k, Timestamp t);
  // A resolved case with a series is active again from t (case.reopened).
  void reopen(std::uint32_t k, Timestamp t);

  // Open cases of a series.
  std::int64_t active(std::uint32_t series) const {
    return series < active_.size() ? active_[series] : 0;
  }

  // Recomputes the open cases per series from the records (after the state
  // codec restored them).
  void rebuild_active();

  // Evicts cases with no event since `before`, oldest first.
  void evict_idle(Timestamp before);
  // Evicts the least recently touched case, as the cap does, for the byte
  // bound (state.max_tracked_bytes); counted in both totals below.
  void evict_oldest_for_bytes();
  // Every eviction (idle, count cap, byte bound) / those for the byte bound.
  std::uint64_t evicted_total() const { return evicted_; }
  std::uint64_t byte_bound_evictions_total() const { return byte_bound_evictions_; }

  // Estimated bytes of the tracked cases, kept up to date on every insert
  // and eviction: O(1) per change. A case owns nothing on the heap but a
  // long id: its table record (LruTable::kRecordBytes, 152 bytes on x86-64)
  // plus the id's heap part.
  std::size_t bytes() const { return bytes_; }
  std::size_t bytes_of(std::uint32_t k) const {
    return LruTable<Case>::kRecordBytes() + LruTable<Case>::key_heap_bytes(table_.key(k));
  }
  // Recomputes bytes() from the records (after the state codec restored
  // them: the total is derived, never written). O(cases).
  void recount_bytes();

 private:
  friend struct persist::Access;

  void evict(std::uint32_t k);

  LruTable<Case> table_;
  std::vector<std::int64_t> active_;  // by series index, grown on demand
  std::size_t cap_ = 2'000'000;
  std::uint64_t evicted_ = 0;
  std::uint64_t byte_bound_evictions_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace ccmon::core::engine_detail
