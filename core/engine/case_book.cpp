#include "core/engine/case_book.hpp"

#include <algorithm>

#include "core/engine/assert.hpp"

namespace ccmon::core::engine_detail {

std::uint32_t CaseBook::insert(std::string_view id) {
  if (table_.size() >= cap_ && table_.oldest() != kNil) evict(table_.oldest());
  const std::uint32_t k = table_.insert(id);
  bytes_ += bytes_of(k);
  return k;
}

void CaseBook::open(std::uint32_t k, Timestamp t, std::uint32_t series) {
  Case& cs = table_[k];
  CCMON_ASSERT(!cs.open && series != kNil);
  cs.opened_at = cs.last_event = t;
  cs.open = true;
  cs.series = series;
  if (active_.size() <= series) active_.resize(series + std::size_t{1}, 0);
  ++active_[series];
}

void CaseBook::resolve(std::uint32_t k, Timestamp t) {
  Case& cs = table_[k];
  cs.resolved = true;
  cs.resolved_at = t;
  cs.last_event = std::max(cs.last_event, t);
  if (cs.open) {
    cs.open = false;
    --active_[cs.series];
    CCMON_ASSERT(active_[cs.series] >= 0);
  }
}

void CaseBook::reopen(std::uint32_t k, Timestamp t) {
  Case& cs = table_[k];
  CCMON_ASSERT(cs.resolved && !cs.open && cs.series != kNil);
  cs.resolved = false;
  cs.reopened = true;
  cs.open = true;
  cs.last_event = std::max(cs.last_event, t);
  if (active_.size() <= cs.series) active_.resize(cs.series + std::size_t{1}, 0);
  ++active_[cs.series];
}

void CaseBook::rebuild_active() {
  active_.clear();
  table_.for_each([&](std::uint32_t, const Case& cs) {
    if (!cs.open) return;
    if (active_.size() <= cs.series) active_.resize(cs.series + std::size_t{1}, 0);
    ++active_[cs.series];
  });
}

void CaseBook::evict(std::uint32_t k) {
  const Case& cs = table_[k];
  if (cs.open) {
    --active_[cs.series];
    CCMON_ASSERT(active_[cs.series] >= 0);
  }
  CCMON_ASSERT(bytes_ >= bytes_of(k));
  bytes_ -= bytes_of(k);
  table_.erase(k);
  ++evicted_;
}

void CaseBook::evict_oldest_for_bytes() {
  if (table_.oldest() == kNil) return;
  evict(table_.oldest());
  ++byte_bound_evictions_;
}

void CaseBook::recount_bytes() {
  bytes_ = 0;
  table_.for_each([&](std::uint32_t k, const Case&) { bytes_ += bytes_of(k); });
}

void CaseBook::evict_idle(Timestamp before) {
  for (std::uint32_t k = table_.oldest(); k != kNil && table_[k].last_event <= before;
       k = table_.oldest()) {
    evict(k);
  }
}

}  // namespace ccmon::core::engine_detail
