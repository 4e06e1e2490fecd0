#include "core/engine/contact_book.hpp"

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

SeriesLive& ContactBook::live_of(std::uint32_t series) {
  CCMON_ASSERT(series != kNil);
  if (live_.size() <= series) live_.resize(series + std::size_t{1});
  return live_[series];
}

void ContactBook::move(std::uint32_t c, Phase to, std::uint32_t series) {
  Contact& k = table_[c];
  if (k.phase == Phase::kWaiting) {
    leave_waiting(c);
  } else if (k.phase == Phase::kActive) {
    SeriesLive& l = live_of(k.series);
    --l.active;
    CCMON_ASSERT(l.active >= 0);
  }
  k.phase = to;
  k.series = series;
  if (to == Phase::kWaiting) {
    enter_waiting(c);
  } else if (to == Phase::kActive) {
    ++live_of(series).active;
  }
}

// Waiting contacts of a series stay sorted by queued_at (inserted from the
// tail, where new arrivals belong), so the oldest is the head.
void ContactBook::enter_waiting(std::uint32_t c) {
  Contact& k = table_[c];
  SeriesLive& s = live_of(k.series);
  std::uint32_t after = s.wait_tail;
  while (after != kNil && table_[after].queued_at > k.queued_at) after = table_[after].wait_prev;
  k.wait_prev = after;
  k.wait_next = after == kNil ? s.wait_head : table_[after].wait_next;
  (after == kNil ? s.wait_head : table_[after].wait_next) = c;
  (k.wait_next == kNil ? s.wait_tail : table_[k.wait_next].wait_prev) = c;
  ++s.waiting;
}

void ContactBook::leave_waiting(std::uint32_t c) {
  Contact& k = table_[c];
  SeriesLive& s = live_of(k.series);
  CCMON_ASSERT(k.wait_prev == kNil ? s.wait_head == c : table_[k.wait_prev].wait_next == c);
  CCMON_ASSERT(k.wait_next == kNil ? s.wait_tail == c : table_[k.wait_next].wait_prev == c);
  (k.wait_prev == kNil ? s.wait_head : table_[k.wait_prev].wait_next) = k.wait_next;
  (k.wait_next == kNil ? s.wait_tail : table_[k.wait_next].wait_prev) = k.wait_prev;
  k.wait_prev = k.wait_next = kNil;
  --s.waiting;
  CCMON_ASSERT(s.waiting >= 0);
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
  std::vector<std::int64_t> active(live_.size(), 0);
  std::int64_t waiting = 0, listed = 0;
  table_.for_each([&](std::uint32_t, const Contact& k) {
    waiting += k.phase == Phase::kWaiting ? 1 : 0;
    if (k.phase == Phase::kActive) {
      CCMON_ASSERT(k.series < live_.size());
      if (k.series < live_.size()) ++active[k.series];
    }
  });
  for (std::uint32_t s = 0; s < live_.size(); ++s) {
    const SeriesLive& l = live_[s];
    CCMON_ASSERT(l.active == active[s]);
    std::int64_t n = 0;
    Timestamp last = kNever;
    std::uint32_t prev = kNil;
    for (std::uint32_t c = l.wait_head; c != kNil; c = table_[c].wait_next) {
      const Contact& k = table_[c];
      CCMON_ASSERT(k.phase == Phase::kWaiting && k.series == s);
      CCMON_ASSERT(k.wait_prev == prev);
      CCMON_ASSERT(k.queued_at >= last);
      last = k.queued_at;
      prev = c;
      ++n;
    }
    CCMON_ASSERT(prev == l.wait_tail);
    CCMON_ASSERT(n == l.waiting);
    listed += n;
  }
  CCMON_ASSERT(listed == waiting);  // no waiting contact outside a list
#endif
}

}  // namespace ccmon::core::engine_detail
