// See recent_answerers.hpp.
#include "core/prediction/recent_answerers.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <tuple>
#include <vector>

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
  // Built in a kept buffer: no allocation per answer (docs/forecasting.md).
  key_buffer_.clear();
  append_series_key(key_buffer_, queue, channel);
  auto it = series_.find(std::string_view(key_buffer_));
  if (it == series_.end()) {
    it = series_
             .emplace(key_buffer_, Series{std::string(queue), std::string(channel),
                                          Map<Timestamp>(0, KeyedStringHash{key_})})
             .first;
  }
  return it->second;
}

void RecentAnswerers::answered(std::string_view queue, std::string_view channel,
                               std::string_view agent, Timestamp at) {
  if (answers_ >= kMaxAnswers) drop_oldest_answers();
  auto& agents = series(queue, channel).agents;
  const auto [it, inserted] = agents.try_emplace(agent, at);
  if (inserted) {
    ++answers_;
  } else {
    it->second = std::max(it->second, at);
  }
}

void RecentAnswerers::apply(std::span<const Event* const> events) {
  for (const Event* e : events) apply(*e);
}

void RecentAnswerers::apply(const Event& e) {
  if (e.type != EventType::kAgentState || !e.state) return;
  if (*e.state == AgentState::kAway || *e.state == AgentState::kOffline) {
    off_since_.insert_or_assign(e.agent, e.time);
  } else {
    off_since_.erase(e.agent);
  }
}

RecentAnswerers::Counts RecentAnswerers::counts(Timestamp since) const {
  Counts out(0, KeyedStringHash{key_});
  for (const auto& [k, s] : series_) {
    int n = 0;
    for (const auto& [agent, at] : s.agents) {
      if (at < since) continue;
      const auto off = off_since_.find(agent);
      if (off != off_since_.end() && off->second >= at) continue;
      ++n;
    }
    if (n != 0) out.emplace(k, n);
  }
  return out;
}

void RecentAnswerers::erase_answers(Timestamp cut, bool inclusive) {
  for (auto it = series_.begin(); it != series_.end();) {
    answers_ -= absl::erase_if(it->second.agents, [&](const auto& kv) {
      return inclusive ? kv.second <= cut : kv.second < cut;
    });
    if (it->second.agents.empty()) {
      series_.erase(it++);
    } else {
      ++it;
    }
  }
}

void RecentAnswerers::expire(Timestamp since) {
  erase_answers(since, false);
  absl::erase_if(off_since_, [since](const auto& kv) { return kv.second < since; });
}

RecentAnswerers::Entries RecentAnswerers::entries() const {
  Entries e;
  e.answers.reserve(answers_);
  for (const auto& [k, s] : series_) {
    for (const auto& [agent, at] : s.agents) e.answers.push_back({s.queue, s.channel, agent, at});
  }
  std::sort(e.answers.begin(), e.answers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.queue, a.channel, a.agent) < std::tie(b.queue, b.channel, b.agent);
  });
  e.off_since.assign(off_since_.begin(), off_since_.end());
  std::sort(e.off_since.begin(), e.off_since.end());
  return e;
}

void RecentAnswerers::restore(Entries e) {
  series_.clear();
  answers_ = 0;
  off_since_.clear();
  for (auto& a : e.answers) answered(a.queue, a.channel, a.agent, a.at);
  for (auto& [k, t] : e.off_since) off_since_.insert_or_assign(std::move(k), t);
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

}  // namespace ccmon::core
