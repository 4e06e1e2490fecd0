// See recent_answerers.hpp.
#include "core/prediction/recent_answerers.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <tuple>
#include <vector>

#include "core/engine/assert.hpp"

namespace ccmon::core {

namespace {

// Appends series_key(queue, channel) to `out`.
void append_series_key(std::string& out, std::string_view queue, std::string_view channel) {
  std::array<char, 24> digits{};
  for (const std::string_view part : {queue, channel}) {
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), part.size()).ptr;
    out.append(digits.data(), end).append(":").append(part);
  }
}

}  // namespace

std::string RecentAnswerers::series_key(std::string_view queue, std::string_view channel) {
  std::string k;
  append_series_key(k, queue, channel);
  return k;
}

RecentAnswerers::Series& RecentAnswerers::series(std::string_view queue, std::string_view channel) {
  SeriesMemo::Entry& m = series_memo_.slot(queue, channel);
  if (m.generation == series_generation_ && m.series->queue == queue &&
      m.series->channel == channel) {
    return *m.series;
  }
  // Built in a kept buffer: no allocation per answer (docs/forecasting.md).
  key_buffer_.clear();
  append_series_key(key_buffer_, queue, channel);
  auto it = series_.find(std::string_view(key_buffer_));
  if (it == series_.end()) {
    it = series_.emplace(key_buffer_, Series{std::string(queue), std::string(channel), {}}).first;
    ++series_generation_;  // the insert may have moved every series
  }
  m = {&it->second, series_generation_};
  return it->second;
}

std::uint32_t RecentAnswerers::intern(std::string_view agent) {
  return intern(Hashed{agent, keyed_hash(key_, agent)});
}

std::uint32_t RecentAnswerers::intern(const Hashed& agent) {
  const auto [it, inserted] = agent_index_.try_emplace(agent, 0u);
  if (!inserted) return it->second;
  std::uint32_t index;
  if (free_agents_.empty()) {
    index = static_cast<std::uint32_t>(agents_.size());
    agents_.emplace_back();
  } else {
    index = free_agents_.back();
    free_agents_.pop_back();
  }
  agents_[index].name.assign(agent.name);
  it->second = index;
  return index;
}

void RecentAnswerers::release_if_unused(std::uint32_t index) {
  Agent& a = agents_[index];
  if (a.series_answered != 0 || a.off) return;
  agent_index_.erase(std::string_view(a.name));
  std::string().swap(a.name);  // a flood's names are not kept after it
  free_agents_.push_back(index);
}

void RecentAnswerers::mark_off(const Hashed& agent, Timestamp at) {
  if (off_marks_ >= kMaxOffMarks) drop_off_marks();
  Agent& a = agents_[intern(agent)];
  if (!a.off) ++off_marks_;
  a.off = true;
  a.off_since = at;
}

void RecentAnswerers::clear_off(std::uint32_t index) {
  agents_[index].off = false;
  --off_marks_;
  release_if_unused(index);
}

void RecentAnswerers::answered(std::string_view queue, std::string_view channel,
                               std::string_view agent, Timestamp at) {
  answered(queue, channel, Hashed{agent, keyed_hash(key_, agent)}, at);
}

void RecentAnswerers::answered(std::string_view queue, std::string_view channel,
                               std::string_view agent, std::uint64_t agent_hash, const HashKey& key,
                               Timestamp at) {
  if (key != key_) return answered(queue, channel, agent, at);
  // A hash that is not the name's would make a second record of the agent
  // that lookups by name never find.
  CCMON_ASSERT(agent_hash == keyed_hash(key_, agent));
  answered(queue, channel, Hashed{agent, agent_hash}, at);
}

void RecentAnswerers::answered(std::string_view queue, std::string_view channel,
                               const Hashed& agent, Timestamp at) {
  if (answers_ >= kMaxAnswers) drop_oldest_answers();
  const std::uint32_t index = intern(agent);
  auto& agents = series(queue, channel).agents;
  const auto [it, inserted] = agents.try_emplace(index, at);
  if (inserted) {
    ++answers_;
    ++agents_[index].series_answered;
  } else {
    it->second = std::max(it->second, at);
  }
}

void RecentAnswerers::apply(std::span<const Event* const> events) {
  for (const Event* e : events) apply(*e);
}

void RecentAnswerers::apply(std::span<const Event* const> events, const HashKey& key,
                            std::span<const HashedIds> hashed) {
  if (hashed.size() != events.size() || key != key_) return apply(events);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = *events[i];
    if (e.type != EventType::kAgentState) continue;
    // hashed_ids_of leaves an empty agent unhashed (0). A hash that is not
    // the name's would make a second record of the agent that lookups by
    // name (answers, releases) never find.
    CCMON_ASSERT(e.agent.empty() || hashed[i].agent == keyed_hash(key_, e.agent));
    apply(e, e.agent.empty() ? keyed_hash(key_, e.agent) : hashed[i].agent);
  }
}

void RecentAnswerers::apply(const Event& e) {
  if (e.type == EventType::kAgentState) apply(e, keyed_hash(key_, e.agent));
}

void RecentAnswerers::apply(const Event& e, std::uint64_t agent_hash) {
  if (e.type != EventType::kAgentState || !e.state) return;
  const Hashed agent{e.agent, agent_hash};
  if (*e.state == AgentState::kAway || *e.state == AgentState::kOffline) {
    mark_off(agent, e.time);
  } else if (const auto it = agent_index_.find(agent);
             it != agent_index_.end() && agents_[it->second].off) {
    clear_off(it->second);
  }
}

RecentAnswerers::Counts RecentAnswerers::counts(Timestamp since) const {
  Counts out(0, KeyedStringHash{key_});
  for (const auto& [k, s] : series_) {
    int n = 0;
    for (const auto& [index, at] : s.agents) {
      if (at < since) continue;
      const Agent& a = agents_[index];
      if (a.off && a.off_since >= at) continue;
      ++n;
    }
    if (n != 0) out.emplace(k, n);
  }
  return out;
}

void RecentAnswerers::erase_answers(Timestamp cut, bool inclusive) {
  for (auto it = series_.begin(); it != series_.end();) {
    auto& agents = it->second.agents;
    for (auto a = agents.begin(); a != agents.end();) {
      if (inclusive ? a->second <= cut : a->second < cut) {
        const std::uint32_t index = a->first;
        agents.erase(a++);
        --answers_;
        --agents_[index].series_answered;
        release_if_unused(index);
      } else {
        ++a;
      }
    }
    if (agents.empty()) {
      series_.erase(it++);
      ++series_generation_;  // the memo may point at it
    } else {
      ++it;
    }
  }
}

void RecentAnswerers::erase_off_marks(Timestamp cut, bool inclusive) {
  if (off_marks_ == 0) return;
  for (std::uint32_t i = 0; i < agents_.size(); ++i) {
    const Agent& a = agents_[i];
    if (a.off && (inclusive ? a.off_since <= cut : a.off_since < cut)) clear_off(i);
  }
}

void RecentAnswerers::expire(Timestamp since) {
  erase_answers(since, false);
  erase_off_marks(since, false);
}

RecentAnswerers::Entries RecentAnswerers::entries() const {
  Entries e;
  e.answers.reserve(answers_);
  for (const auto& [k, s] : series_) {
    for (const auto& [index, at] : s.agents) {
      e.answers.push_back({s.queue, s.channel, agents_[index].name, at});
    }
  }
  std::sort(e.answers.begin(), e.answers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.queue, a.channel, a.agent) < std::tie(b.queue, b.channel, b.agent);
  });
  e.off_since.reserve(off_marks_);
  for (const Agent& a : agents_) {
    if (a.off) e.off_since.emplace_back(a.name, a.off_since);
  }
  std::sort(e.off_since.begin(), e.off_since.end());
  return e;
}

void RecentAnswerers::restore(Entries e) {
  series_.clear();
  ++series_generation_;
  answers_ = 0;
  agent_index_.clear();
  agents_.clear();
  free_agents_.clear();
  off_marks_ = 0;
  for (auto& a : e.answers) answered(a.queue, a.channel, a.agent, a.at);
  // An image may hold more marks than the bound (written before there was
  // one): the newest are kept.
  if (e.off_since.size() > kMaxOffMarks) {
    const auto newer = [](const auto& x, const auto& y) { return x.second > y.second; };
    std::nth_element(e.off_since.begin(), e.off_since.begin() + kMaxOffMarks, e.off_since.end(),
                     newer);
    e.off_since.resize(kMaxOffMarks);
  }
  for (const auto& [name, t] : e.off_since) mark_off(Hashed{name, keyed_hash(key_, name)}, t);
}

namespace {

// The time below which a tenth of `times` lies.
Timestamp tenth(std::vector<Timestamp>& times) {
  const auto nth = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 10);
  std::nth_element(times.begin(), nth, times.end());
  return *nth;
}

}  // namespace

void RecentAnswerers::drop_oldest_answers() {
  std::vector<Timestamp> times;
  times.reserve(answers_);
  for (const auto& [k, s] : series_) {
    for (const auto& kv : s.agents) times.push_back(kv.second);
  }
  if (times.empty()) return;
  erase_answers(tenth(times), true);
}

void RecentAnswerers::drop_off_marks() {
  // First the marks of agents with no answer kept: they matter only for an
  // answer that arrives late, and a flood of made-up agents going offline
  // is all such, so it cannot push out the marks of agents who answered.
  std::size_t answerless = 0;
  for (const Agent& a : agents_) answerless += a.off && a.series_answered == 0;
  if (answerless != 0 && answerless >= off_marks_ / 10) {
    for (std::uint32_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i].off && agents_[i].series_answered == 0) clear_off(i);
    }
    return;
  }
  std::vector<Timestamp> times;
  times.reserve(off_marks_);
  for (const Agent& a : agents_) {
    if (a.off) times.push_back(a.off_since);
  }
  if (times.empty()) return;
  erase_off_marks(tenth(times), true);
}

}  // namespace ccmon::core
