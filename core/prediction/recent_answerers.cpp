// See recent_answerers.hpp.
#include "core/prediction/recent_answerers.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ccmon::core {

std::string RecentAnswerers::series_key(std::string_view queue, std::string_view channel) {
  std::string k;
  k.reserve(queue.size() + channel.size() + 12);
  k.append(std::to_string(queue.size())).append(":").append(queue);
  k.append(std::to_string(channel.size())).append(":").append(channel);
  return k;
}

RecentAnswerers::Series& RecentAnswerers::series(std::string_view queue, std::string_view channel) {
  std::string k = series_key(queue, channel);
  auto it = series_.find(k);
  if (it == series_.end()) {
    it = series_
             .emplace(std::move(k), Series{std::string(queue), std::string(channel),
                                           Map<Timestamp>(0, KeyedStringHash{key_})})
             .first;
  }
  return it->second;
}

void RecentAnswerers::answered(std::string_view queue, std::string_view channel,
                               const std::string& agent, Timestamp at) {
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
  switch (e.type) {
    case EventType::kContactQueued:
      if (waiting_.size() >= kMaxWaiting && !waiting_.contains(e.contact)) drop_oldest_waiting();
      waiting_.insert_or_assign(e.contact, Waiting{series_key(e.queue, e.channel), e.time});
      break;
    case EventType::kContactAnswered: {
      if (e.agent.empty()) {
        waiting_.erase(e.contact);
        break;
      }
      if (!e.queue.empty() && !e.channel.empty()) {  // explicit fields win
        waiting_.erase(e.contact);
        answered(e.queue, e.channel, e.agent, e.time);
        break;
      }
      const auto it = waiting_.find(e.contact);
      if (it == waiting_.end()) break;
      const auto s = series_.find(it->second.series);
      if (s != series_.end() && (e.queue.empty() || e.queue == s->second.queue) &&
          (e.channel.empty() || e.channel == s->second.channel)) {
        // The series is known already (an earlier answer): no name to rebuild.
        auto& agents = s->second.agents;
        const auto [a, inserted] = agents.try_emplace(e.agent, e.time);
        if (!inserted) a->second = std::max(a->second, e.time);
        if (inserted) {
          ++answers_;
          if (answers_ > kMaxAnswers) drop_oldest_answers();
        }
      } else {
        // First answer of the series: its names from the key.
        const std::string& k = it->second.series;
        const std::size_t c1 = k.find(':');
        const std::size_t qn = std::stoul(k.substr(0, c1));
        const std::string_view queue = std::string_view(k).substr(c1 + 1, qn);
        const std::size_t c2 = k.find(':', c1 + 1 + qn);
        const std::string_view channel = std::string_view(k).substr(c2 + 1);
        answered(e.queue.empty() ? queue : std::string_view(e.queue),
                 e.channel.empty() ? channel : std::string_view(e.channel), e.agent, e.time);
      }
      waiting_.erase(it);
      break;
    }
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed:
      waiting_.erase(e.contact);
      break;
    case EventType::kAgentState:
      if (!e.state) break;
      if (*e.state == AgentState::kAway || *e.state == AgentState::kOffline) {
        off_since_.insert_or_assign(e.agent, e.time);
      } else {
        off_since_.erase(e.agent);
      }
      break;
    default:
      break;
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
  e.waiting.reserve(waiting_.size());
  for (const auto& [contact, w] : waiting_) {
    const std::size_t c1 = w.series.find(':');
    const std::size_t qn = std::stoul(w.series.substr(0, c1));
    const std::size_t c2 = w.series.find(':', c1 + 1 + qn);
    e.waiting.push_back({contact, w.series.substr(c1 + 1, qn), w.series.substr(c2 + 1), w.queued});
  }
  std::sort(e.waiting.begin(), e.waiting.end(),
            [](const auto& a, const auto& b) { return a.contact < b.contact; });
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
  waiting_.clear();
  series_.clear();
  answers_ = 0;
  off_since_.clear();
  for (auto& w : e.waiting) {
    waiting_.insert_or_assign(std::move(w.contact),
                              Waiting{series_key(w.queue, w.channel), w.queued});
  }
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

void RecentAnswerers::drop_oldest_waiting() {
  if (waiting_.empty()) return;
  std::vector<Timestamp> times;
  times.reserve(waiting_.size());
  for (const auto& kv : waiting_) times.push_back(kv.second.queued);
  const Timestamp cut = tenth(times);
  absl::erase_if(waiting_, [cut](const auto& kv) { return kv.second.queued <= cut; });
}

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
