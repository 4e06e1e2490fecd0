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
  return table_.insert(id, hash);
}

std::uint32_t ContactBook::insert_if_room(std::string_view id, std::uint64_t hash) {
  return table_.size() < cap_ ? table_.insert(id, hash) : kNil;
}

void ContactBook::move(std::uint32_t c, Phase to, std::uint32_t series) {
  Contact& k = table_[c];
  const Phase from = k.phase;
  const std::uint32_t old_series = k.series;
  k.phase = to;
  k.series = series;
  if (from == Phase::kWaiting) {
    SeriesLive& l = live_of(old_series);
    --l.waiting;
    CCMON_ASSERT(l.waiting >= 0 && !l.queue.empty());
    // Its entry is stale now; the top stays current unless it was the top.
    if (l.queue.front().contact.slot == c || l.queue.size() > 2 * std::size_t(l.waiting) + 16) {
      settle(old_series);
    }
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

// Min-heap order for the std heap algorithms, counting its comparisons.
struct Later {
  std::uint64_t* steps;
  bool operator()(const WaitEntry& a, const WaitEntry& b) const {
    ++*steps;
    return a.queued_at > b.queued_at;
  }
};

}  // namespace

void ContactBook::enter_waiting(std::uint32_t c) {
  const Contact& k = table_[c];
  SeriesLive& s = live_of(k.series);
  s.queue.push_back({k.queued_at, table_.handle(c)});
  std::push_heap(s.queue.begin(), s.queue.end(), Later{&queue_steps_});
  ++s.waiting;
}

void ContactBook::settle(std::uint32_t series) {
  SeriesLive& s = live_of(series);
  auto& q = s.queue;
  while (!q.empty() && !current(series, q.front())) {
    std::pop_heap(q.begin(), q.end(), Later{&queue_steps_});
    q.pop_back();
  }
  if (q.size() > 2 * static_cast<std::size_t>(s.waiting) + 16) {
    std::erase_if(q, [&](const WaitEntry& e) { return !current(series, e); });
    // A contact that waited, left and waits again with the same queued_at
    // has two current entries: keep one per contact.
    std::sort(q.begin(), q.end(), [](const WaitEntry& a, const WaitEntry& b) {
      return a.contact.slot < b.contact.slot;
    });
    q.erase(std::unique(q.begin(), q.end(),
                        [](const WaitEntry& a, const WaitEntry& b) {
                          return a.contact.slot == b.contact.slot;
                        }),
            q.end());
    std::make_heap(q.begin(), q.end(), Later{&queue_steps_});
  }
}

void ContactBook::rebuild_live() {
  live_.clear();
  table_.for_each([&](std::uint32_t c, const Contact& k) {
    if (k.phase == Phase::kWaiting) {
      SeriesLive& l = live_of(k.series);
      l.queue.push_back({k.queued_at, table_.handle(c)});
      ++l.waiting;
    } else if (k.phase == Phase::kActive) {
      ++live_of(k.series).active;
    }
  });
  for (SeriesLive& l : live_) std::make_heap(l.queue.begin(), l.queue.end(), Later{&queue_steps_});
}

void ContactBook::schedule_acw_timeout(std::uint32_t c, Timestamp due, Timestamp ended_at) {
  while (!acw_due_.empty() &&
         (!table_.valid(acw_due_.top().contact) ||
          table_[acw_due_.top().contact.slot].phase != Phase::kAcw ||
          table_[acw_due_.top().contact.slot].ended_at != acw_due_.top().ended_at)) {
    acw_due_.pop();
  }
  acw_due_.push({due, table_.handle(c), ended_at});
}

void ContactBook::evict(std::uint32_t c) {
  move(c, Phase::kDone, table_[c].series);  // leaves the live counts
  table_.erase(c);
  ++evicted_;
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
    CCMON_ASSERT(l.queue.empty() || current(s, l.queue.front()));
    CCMON_ASSERT(l.queue.size() >= static_cast<std::size_t>(l.waiting));
    std::uint64_t steps = 0;
    CCMON_ASSERT(std::is_heap(l.queue.begin(), l.queue.end(), Later{&steps}));
  }
#endif
}

}  // namespace ccmon::core::engine_detail
