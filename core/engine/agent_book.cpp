#include "core/engine/agent_book.hpp"

#include <algorithm>

#include "core/engine/assert.hpp"

namespace ccmon::core::engine_detail {

std::uint32_t AgentBook::touch_or_insert(std::string_view id, std::uint64_t hash) {
  const std::uint32_t a = table_.find(id, hash);
  if (a != kNil) {
    table_.touch(a);
    return a;
  }
  if (table_.size() >= cap_ && table_.oldest() != kNil) evict(table_.oldest());
  const std::uint32_t added = table_.insert(id, hash);
  bytes_ += bytes_of(added);
  return added;
}

void AgentBook::evict(std::uint32_t a) {
  CCMON_ASSERT(bytes_ >= bytes_of(a));
  bytes_ -= bytes_of(a);
  table_.erase(a);
  ++evicted_;
}

void AgentBook::evict_oldest_for_bytes() {
  if (table_.oldest() == kNil) return;
  evict(table_.oldest());
  ++byte_bound_evictions_;
}

void AgentBook::recount_bytes() {
  bytes_ = 0;
  table_.for_each([&](std::uint32_t a, const Agent&) { bytes_ += bytes_of(a); });
}

void AgentBook::remember(std::uint32_t a, std::vector<AgentTransition>::const_iterator at,
                         AgentTransition tr) {
  const std::size_t before = bytes_of(a);
  Agent& ag = table_[a];
  ag.history.insert(at, tr);
  if (ag.history.size() > kAgentHistory) ag.history.erase(ag.history.begin());
  bytes_ = bytes_ - before + bytes_of(a);
}

std::optional<StateInterval> AgentBook::change_state(std::uint32_t a, Timestamp t, AgentState state,
                                                     LabelId team) {
  Agent& ag = table_[a];
  CCMON_ASSERT(!ag.has_state || t >= ag.since);
  std::optional<StateInterval> left;
  if (ag.has_state) left = StateInterval{ag.since, t, ag.state, ag.team};
  if (team != kNoLabel) ag.team = team;
  ag.has_state = true;
  ag.state = state;
  ag.since = t;
  remember(a, ag.history.end(), {t, state, ag.team});
  return left;
}

std::optional<std::size_t> AgentBook::late_position(std::uint32_t a, Timestamp t) const {
  const auto& h = table_[a].history;
  const auto next = std::upper_bound(
      h.begin(), h.end(), t, [](Timestamp x, const AgentTransition& tr) { return x < tr.at; });
  if (next == h.begin() || next == h.end()) return std::nullopt;
  return static_cast<std::size_t>(next - h.begin());
}

StateInterval AgentBook::insert_late(std::uint32_t a, std::size_t position, Timestamp t,
                                     AgentState state, LabelId team) {
  Agent& ag = table_[a];
  CCMON_ASSERT(position > 0 && position < ag.history.size());
  const auto next = ag.history.begin() + static_cast<std::ptrdiff_t>(position);
  const StateInterval resplit{t, next->at, state, team};
  remember(a, next, {t, state, team});
  return resplit;
}

void AgentBook::segment_ended(Handle agent, Timestamp t) {
  if (!table_.valid(agent)) return;
  Agent& a = table_[agent.slot];
  a.last_wrap = std::max(a.last_wrap, t);
}

std::optional<Duration> AgentBook::take_gap(Handle agent, Timestamp t) {
  if (!table_.valid(agent)) return std::nullopt;
  Agent& a = table_[agent.slot];
  std::optional<Duration> gap;
  if (a.last_wrap != kNever && t >= a.last_wrap) gap = t - a.last_wrap;
  a.last_wrap = kNever;
  return gap;
}

}  // namespace ccmon::core::engine_detail
