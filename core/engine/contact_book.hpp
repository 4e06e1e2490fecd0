// The contact book: every tracked contact's record and the live state
// derived from it: per series, the number of contacts waiting and the oldest
// of them, and the contacts in a handling segment; and the after-contact-work
// timeouts.
//
// Invariants (checked by CCMON_ASSERT in assertion builds):
// - a series' `waiting` count is the number of contacts whose phase is
//   kWaiting and whose series is s;
// - each series' waiting list holds an entry for every contact waiting in
//   it, plus stale entries (contacts that left) that are dropped when they
//   reach the front or at compaction. Entries queued in time order (the
//   usual case) are appended to `fifo`, sorted by queued_at from `head`;
//   one older than the fifo's newest goes to `late`, a min-heap by
//   queued_at. Both fronts are always current, so the oldest waiting
//   contact is the older of the two: O(1) per contact in time order and
//   O(log n) in any order;
// - a series' `active` count is the number of contacts in phase kActive with
//   that series; no count is ever negative;
// - bytes() is the sum of bytes_of() over the tracked contacts;
// - phase and series change only through move(), which keeps both of the
//   count invariants above; the other fields of a record are the
//   attribution's to write.
// The book never records KPI deltas: what a transition is worth is decided
// by the attribution (attribution.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <queue>
#include <string_view>
#include <vector>

#include "core/engine/labels.hpp"
#include "core/engine/lru_table.hpp"
#include "core/engine/persist_access.hpp"
#include "core/engine/window_store.hpp"

namespace ccmon::core::engine_detail {

enum class Phase : std::uint8_t {
  kNew,          // known from created / messages / outcomes only
  kWaiting,      // queued, no outcome yet
  kActive,       // answered (a handling segment runs)
  kAcw,          // ended, after-contact work runs
  kTransferred,  // a segment ended by a transfer to a queue
  kDone,         // abandoned, overflowed or wrapped
};

// Once-per-contact outcomes, so a repeated event never double counts, and
// the hold marker. One bit each in Contact::flags.
enum ContactFlag : std::uint8_t {
  kFirstResponseDone = 1,
  kSelfServedDone = 2,
  kDeflectedDone = 4,
  kConvertedDone = 8,
  kSentimentDone = 16,
  kHeld = 32,
  kCreatedDone = 64,
  kSentimentCountedNegative = 128,  // the sentiment counted was negative
};

constexpr bool distinct_single_bits(std::initializer_list<unsigned> flags) {
  unsigned seen = 0;
  for (unsigned f : flags) {
    if (f == 0 || (f & (f - 1)) != 0 || (seen & f) != 0) return false;
    seen |= f;
  }
  return seen <= 0xFF;  // fits Contact::flags
}
static_assert(distinct_single_bits({kFirstResponseDone, kSelfServedDone, kDeflectedDone,
                                    kConvertedDone, kSentimentDone, kHeld, kCreatedDone,
                                    kSentimentCountedNegative}),
              "contact flags must be distinct bits of Contact::flags: add new ones here");

struct Contact {  // 112 bytes + the id string
  Timestamp first_queued = kNever;
  Timestamp queued_at = kNever;
  Timestamp answered_at = kNever;
  Timestamp hold_start = kNever;
  Duration hold = 0;
  Timestamp ended_at = kNever;
  Duration talk = 0;
  Timestamp pending_since = kNever;  // oldest unanswered customer message
  Timestamp last_event = kNever;
  Timestamp last_lifecycle = kNever;  // latest queue/answer/end... event seen, even out of sequence
  Timestamp sentiment_at = kNever;    // event time of the sentiment counted (the latest)
  Handle agent;
  std::uint32_t series = kNil;  // series of the current queue x channel (written by move())
  LabelId queue = kNoLabel, channel = kNoLabel;
  Phase phase = Phase::kNew;  // written by move()
  std::uint8_t flags = 0;     // ContactFlag bits
};

// A waiting contact in its series' waiting list: stale once the contact no
// longer waits there with this queued_at.
struct WaitEntry {
  Timestamp queued_at = kNever;
  Handle contact;
};

// Live counts of one series and its waiting list (see the invariants).
struct SeriesLive {
  std::int64_t waiting = 0, active = 0;
  std::vector<WaitEntry> fifo;  // sorted by queued_at from `head`
  std::size_t head = 0;         // fifo[0, head) are gone
  std::vector<WaitEntry> late;  // min-heap by queued_at

  // Entries held, current or stale.
  std::size_t entries() const { return fifo.size() - head + late.size(); }
  // The entry of the oldest waiting contact; only when waiting > 0.
  const WaitEntry& oldest() const {
    if (head == fifo.size()) return late.front();
    if (late.empty() || fifo[head].queued_at <= late.front().queued_at) return fifo[head];
    return late.front();
  }
};

// An after-contact-work timeout: due unless the contact's ACW ended first
// (the record moved on, or it ended again at another time).
struct AcwDue {
  Timestamp due;
  Handle contact;
  Timestamp ended_at;
  bool operator>(const AcwDue& o) const { return due > o.due; }
};

class ContactBook {
 public:
  void set_cap(std::size_t max_tracked) { cap_ = max_tracked; }

  // Lookup. Callers that may look up then insert hash once.
  std::uint64_t hash_of(std::string_view id) const { return table_.hash_of(id); }
  // The key ids are hashed under; set while the book is empty.
  void set_hash_key(const HashKey& key) { table_.set_hash_key(key); }
  std::uint32_t find(std::string_view id) const { return table_.find(id); }
  std::uint32_t find(std::string_view id, std::uint64_t hash) const {
    return table_.find(id, hash);
  }
  // The contact's record, marked most recently used; created (evicting the
  // least recently used at the cap) when absent.
  std::uint32_t touch_or_insert(std::string_view id, std::uint64_t hash);
  std::uint32_t touch_or_insert(std::string_view id) { return touch_or_insert(id, hash_of(id)); }
  // Creates a record only while below the cap (never evicts); kNil if full.
  std::uint32_t insert_if_room(std::string_view id, std::uint64_t hash);
  void touch(std::uint32_t c) { table_.touch(c); }

  Contact& operator[](std::uint32_t c) { return table_[c]; }
  const Contact& operator[](std::uint32_t c) const { return table_[c]; }
  Handle handle(std::uint32_t c) const { return table_.handle(c); }
  bool valid(Handle h) const { return table_.valid(h); }
  // Is the contact behind `h` still in ACW?
  bool in_acw(Handle h) const { return valid(h) && table_[h.slot].phase == Phase::kAcw; }
  std::size_t size() const { return table_.size(); }
  const LruTable<Contact>& table() const { return table_; }  // cache hints

  // The one place phase and series change: leaves the live state of the old
  // (phase, series), enters that of the new. Entering kWaiting inserts by
  // queued_at, which must be set.
  void move(std::uint32_t c, Phase to, std::uint32_t series);

  // Live counts of a series (zero for a series no contact has reached).
  const SeriesLive& live(std::uint32_t series) const {
    static const SeriesLive kNone;
    return series < live_.size() ? live_[series] : kNone;
  }
  // The queued_at of the series' oldest waiting contact, kNever if none.
  Timestamp oldest_waiting(std::uint32_t series) const {
    const SeriesLive& l = live(series);
    return l.waiting == 0 ? kNever : l.oldest().queued_at;
  }
  // Heap comparisons made so far by the waiting queues: their cost, for
  // tests to check it grows as n log n.
  std::uint64_t queue_steps() const { return queue_steps_; }

  // ACW timeouts: schedule one for contact c (ended at `ended_at`), dropping
  // settled ones first so the queues stay small without advance().
  void schedule_acw_timeout(std::uint32_t c, Timestamp due, Timestamp ended_at);
  // Calls close(c, due) for every timeout due at `now` whose ACW still runs.
  template <typename F>
  void expire_acw(Timestamp now, F&& close) {
    for (;;) {
      // The earlier of the two queues' first; the FIFO's on a tie.
      const bool fifo =
          !acw_fifo_.empty() && (acw_late_.empty() || acw_fifo_.front().due <= acw_late_.top().due);
      if (!fifo && acw_late_.empty()) return;
      const AcwDue d = fifo ? acw_fifo_.front() : acw_late_.top();
      if (d.due > now) return;
      if (fifo) {
        acw_fifo_.pop_front();
      } else {
        acw_late_.pop();
      }
      if (!acw_running(d)) continue;
      close(d.contact.slot, d.due);
    }
  }

  // Evicts contacts with no event since `before`, oldest first.
  void evict_idle(Timestamp before);
  // Evicts the least recently touched contact, as the cap does, for the
  // byte bound (state.max_tracked_bytes); counted in both totals below.
  void evict_oldest_for_bytes();
  // Every eviction (idle, count cap, byte bound) / those for the byte bound.
  std::uint64_t evicted_total() const { return evicted_; }
  std::uint64_t byte_bound_evictions_total() const { return byte_bound_evictions_; }

  // Estimated bytes of the tracked contacts (see bytes_of), kept up to date
  // on every insert, eviction and phase change: O(1) per change.
  std::size_t bytes() const { return bytes_; }
  // The estimate for one contact: its table record (LruTable::kRecordBytes,
  // 224 bytes on x86-64), its id's heap part, and what its phase holds
  // elsewhere (phase_bytes).
  std::size_t bytes_of(std::uint32_t c) const {
    return LruTable<Contact>::kRecordBytes() + LruTable<Contact>::key_heap_bytes(table_.key(c)) +
           phase_bytes(table_[c].phase);
  }
  // A waiting contact has an entry in its series' waiting list, which holds
  // up to twice the waiting contacts (stale entries, before compaction):
  // two entries counted. One in ACW has a timeout in the ACW FIFO or heap.
  static constexpr std::size_t phase_bytes(Phase p) {
    return p == Phase::kWaiting ? 2 * sizeof(WaitEntry) : p == Phase::kAcw ? sizeof(AcwDue) : 0;
  }
  // Recomputes bytes() from the records (after the state codec restored
  // them: the total is derived, never written). O(contacts).
  void recount_bytes();

  // Recomputes the live counts and waiting queues from the records (the
  // state codec restores records only; these are derived from them).
  void rebuild_live();

  // Walks every record and checks the invariants above (CCMON_ASSERT);
  // O(contacts + series).
  void check_invariants() const;

 private:
  friend struct persist::Access;

  void evict(std::uint32_t c);
  std::uint32_t insert_record(std::string_view id, std::uint64_t hash);
  void enter_waiting(std::uint32_t c);
  // Drops stale entries from the fronts of a series' waiting list, and
  // compacts the list when stale entries are most of it (amortised
  // O(log n) per entry).
  void settle(std::uint32_t series);
  void compact(std::uint32_t series);
  bool current(std::uint32_t series, const WaitEntry& e) const;
  SeriesLive& live_of(std::uint32_t series) {
    if (live_.size() <= series) live_.resize(series + std::size_t{1});
    return live_[series];
  }

  LruTable<Contact> table_;
  std::vector<SeriesLive> live_;  // by series index, grown on demand
  // Whether the ACW a timeout was scheduled for still runs.
  bool acw_running(const AcwDue& d) const {
    return table_.valid(d.contact) && table_[d.contact.slot].phase == Phase::kAcw &&
           table_[d.contact.slot].ended_at == d.ended_at;
  }
  // The scheduled ACW timeouts not yet due, in two queues; a settled one is
  // dropped once it reaches a front. Most arrive in due order (an event's
  // time plus the same timeout) and go to the back of the FIFO, O(1); one
  // due before the FIFO's last (a late event, feeds whose clocks differ, a
  // shorter timeout after a reload) goes to the heap, O(log n). A heap alone
  // paid a pop's log n scattered reads for every settled timeout.
  std::deque<AcwDue> acw_fifo_;
  std::priority_queue<AcwDue, std::vector<AcwDue>, std::greater<>> acw_late_;
  std::size_t cap_ = 2'000'000;
  std::uint64_t evicted_ = 0;
  std::uint64_t byte_bound_evictions_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t queue_steps_ = 0;
};

}  // namespace ccmon::core::engine_detail
