#include "core/engine/contact_book.hpp"

#include <algorithm>

#include "core/engine/assert.hpp"

namespace ccmon::core::engine_detail {

std::uint32_t ContactBook::touch_or_insert(std::string_view id, std::uint64_t hash) {
  const std::uint32_t c = table_.find(id, hash);
  if (c != kNil) {
    table_.touch(c);
    return c;
  }
  if (table_.size() >= cap_ && table_.oldest() != kNil) evict(table_.oldest());
  return insert_record(id, hash);
}

std::uint32_t ContactBook::insert_if_room(std::string_view id, std::uint64_t hash) {
  return table_.size() < cap_ ? insert_record(id, hash) : kNil;
}

std::uint32_t ContactBook::insert_record(std::string_view id, std::uint64_t hash) {
  const std::uint32_t c = table_.insert(id, hash);
  bytes_ += bytes_of(c);
  return c;
}

void ContactBook::move(std::uint32_t c, Phase to, std::uint32_t series) {
  Contact& k = table_[c];
  const Phase from = k.phase;
  const std::uint32_t old_series = k.series;
  k.phase = to;
  k.series = series;
  bytes_ = bytes_ - phase_bytes(from) + phase_bytes(to);
  if (from == Phase::kWaiting) {
    SeriesLive& l = live_of(old_series);
    --l.waiting;
    CCMON_ASSERT(l.waiting >= 0 && l.entries() > 0);
    // Its entry is stale now; the fronts stay current unless it was one.
    const bool front = (l.head < l.fifo.size() && l.fifo[l.head].contact.slot == c) ||
                       (!l.late.empty() && l.late.front().contact.slot == c);
    if (front || l.entries() > 2 * std::size_t(l.waiting) + 16) settle(old_series);
  } else if (from == Phase::kActive) {
    SeriesLive& l = live_of(old_series);
    --l.active;
    CCMON_ASSERT(l.active >= 0);
  }
  if (to == Phase::kWaiting) {
    enter_waiting(c);
  } else if (to == Phase::kActive) {
    ++live_of(series).active;
  }
}

bool ContactBook::current(std::uint32_t series, const WaitEntry& e) const {
  if (!table_.valid(e.contact)) return false;
  const Contact& k = table_[e.contact.slot];
  return k.phase == Phase::kWaiting && k.series == series && k.queued_at == e.queued_at;
}

namespace {

// Min-heap order for the std heap algorithms, counting its comparisons in a
// local (a store through a pointer on every comparison costs more than the
// comparison).
struct Later {
  std::uint64_t& steps;
  bool operator()(const WaitEntry& a, const WaitEntry& b) const {
    ++steps;
    return a.queued_at > b.queued_at;
  }
};

}  // namespace

void ContactBook::enter_waiting(std::uint32_t c) {
  const Contact& k = table_[c];
  SeriesLive& s = live_of(k.series);
  const WaitEntry e{k.queued_at, table_.handle(c)};
  ++queue_steps_;
  if (s.head == s.fifo.size() || s.fifo.back().queued_at <= e.queued_at) {
    s.fifo.push_back(e);  // in time order: the usual case, O(1)
  } else {
    std::uint64_t steps = 0;
    s.late.push_back(e);
    std::push_heap(s.late.begin(), s.late.end(), Later{steps});
    queue_steps_ += steps;
  }
  ++s.waiting;
}

void ContactBook::settle(std::uint32_t series) {
  SeriesLive& s = live_of(series);
  std::uint64_t steps = 0;
  while (s.head < s.fifo.size() && !current(series, s.fifo[s.head])) ++s.head, ++steps;
  while (!s.late.empty() && !current(series, s.late.front())) {
    std::pop_heap(s.late.begin(), s.late.end(), Later{steps});
    s.late.pop_back();
  }
  queue_steps_ += steps;
  if (s.head == s.fifo.size()) {
    s.fifo.clear();  // keeps capacity
    s.head = 0;
  } else if (s.head > 64 && s.head * 2 > s.fifo.size()) {
    s.fifo.erase(s.fifo.begin(), s.fifo.begin() + static_cast<std::ptrdiff_t>(s.head));
    s.head = 0;
  }
  if (s.entries() > 2 * static_cast<std::size_t>(s.waiting) + 16) compact(series);
}

void ContactBook::compact(std::uint32_t series) {
  SeriesLive& s = live_of(series);
  std::vector<WaitEntry> all;
  all.reserve(static_cast<std::size_t>(s.waiting));
  for (std::size_t i = s.head; i < s.fifo.size(); ++i) {
    if (current(series, s.fifo[i])) all.push_back(s.fifo[i]);
  }
  for (const WaitEntry& e : s.late) {
    if (current(series, e)) all.push_back(e);
  }
  // A contact that waited, left and waits again with the same queued_at
  // has two current entries: keep one per contact.
  std::sort(all.begin(), all.end(),
            [](const WaitEntry& a, const WaitEntry& b) { return a.contact.slot < b.contact.slot; });
  all.erase(std::unique(all.begin(), all.end(),
                        [](const WaitEntry& a, const WaitEntry& b) {
                          return a.contact.slot == b.contact.slot;
                        }),
            all.end());
  std::sort(all.begin(), all.end(),
            [](const WaitEntry& a, const WaitEntry& b) { return a.queued_at < b.queued_at; });
  queue_steps_ += all.size() * 2;
  s.fifo = std::move(all);  // sorted: everything is in time order again
  s.head = 0;
  s.late.clear();
}

void ContactBook::rebuild_live() {
  live_.clear();
  table_.for_each([&](std::uint32_t c, const Contact& k) {
    if (k.phase == Phase::kWaiting) {
      SeriesLive& l = live_of(k.series);
      l.fifo.push_back({k.queued_at, table_.handle(c)});
      ++l.waiting;
    } else if (k.phase == Phase::kActive) {
      ++live_of(k.series).active;
    }
  });
  // Every entry current and in time order: the whole list is the sorted part.
  for (SeriesLive& l : live_) {
    std::sort(l.fifo.begin(), l.fifo.end(),
              [](const WaitEntry& a, const WaitEntry& b) { return a.queued_at < b.queued_at; });
  }
}

void ContactBook::schedule_acw_timeout(std::uint32_t c, Timestamp due, Timestamp ended_at) {
  while (!acw_fifo_.empty() && !acw_running(acw_fifo_.front())) acw_fifo_.pop_front();
  while (!acw_late_.empty() && !acw_running(acw_late_.top())) acw_late_.pop();
  const AcwDue d{due, table_.handle(c), ended_at};
  if (acw_fifo_.empty() || due >= acw_fifo_.back().due) {
    acw_fifo_.push_back(d);
  } else {
    acw_late_.push(d);
  }
}

void ContactBook::evict(std::uint32_t c) {
  move(c, Phase::kDone, table_[c].series);  // leaves the live counts
  CCMON_ASSERT(bytes_ >= bytes_of(c));
  bytes_ -= bytes_of(c);
  table_.erase(c);
  ++evicted_;
}

void ContactBook::evict_oldest_for_bytes() {
  if (table_.oldest() == kNil) return;
  evict(table_.oldest());
  ++byte_bound_evictions_;
}

void ContactBook::recount_bytes() {
  bytes_ = 0;
  table_.for_each([&](std::uint32_t c, const Contact&) { bytes_ += bytes_of(c); });
}

void ContactBook::evict_idle(Timestamp before) {
  for (std::uint32_t c = table_.oldest(); c != kNil && table_[c].last_event <= before;
       c = table_.oldest()) {
    evict(c);
  }
}

void ContactBook::check_invariants() const {
#if defined(CCMON_ASSERTIONS) && CCMON_ASSERTIONS
  std::vector<std::int64_t> active(live_.size(), 0), waiting(live_.size(), 0);
  std::vector<Timestamp> oldest(live_.size(), kNever);
  std::size_t bytes = 0;
  table_.for_each([&](std::uint32_t c, const Contact&) { bytes += bytes_of(c); });
  CCMON_ASSERT(bytes == bytes_);
  table_.for_each([&](std::uint32_t, const Contact& k) {
    if (k.phase != Phase::kActive && k.phase != Phase::kWaiting) return;
    CCMON_ASSERT(k.series < live_.size());
    if (k.series >= live_.size()) return;
    if (k.phase == Phase::kActive) {
      ++active[k.series];
    } else {
      ++waiting[k.series];
      if (oldest[k.series] == kNever || k.queued_at < oldest[k.series]) {
        oldest[k.series] = k.queued_at;
      }
    }
  });
  for (std::uint32_t s = 0; s < live_.size(); ++s) {
    const SeriesLive& l = live_[s];
    CCMON_ASSERT(l.active == active[s]);
    CCMON_ASSERT(l.waiting == waiting[s]);
    CCMON_ASSERT(oldest_waiting(s) == oldest[s]);
    CCMON_ASSERT(l.head == l.fifo.size() || current(s, l.fifo[l.head]));
    CCMON_ASSERT(l.late.empty() || current(s, l.late.front()));
    CCMON_ASSERT(l.entries() >= static_cast<std::size_t>(l.waiting));
    CCMON_ASSERT(std::is_sorted(
        l.fifo.begin() + static_cast<std::ptrdiff_t>(l.head), l.fifo.end(),
        [](const WaitEntry& a, const WaitEntry& b) { return a.queued_at < b.queued_at; }));
    std::uint64_t steps = 0;
    CCMON_ASSERT(std::is_heap(l.late.begin(), l.late.end(), Later{steps}));
  }
#endif
}

}  // namespace ccmon::core::engine_detail
