// See recent_answerers.hpp.
#include "core/prediction/recent_answerers.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace ccmon::core {

// Keys are length-prefixed ("5:sales5:voice" then the agent), so no byte of
// a name can make two (queue, channel, agent) triples collide.
std::string RecentAnswerers::series_key(const std::string& queue, const std::string& channel) {
  std::string k;
  k.reserve(queue.size() + channel.size() + 12);
  k.append(std::to_string(queue.size())).append(":").append(queue);
  k.append(std::to_string(channel.size())).append(":").append(channel);
  return k;
}

std::string RecentAnswerers::key(const std::string& queue, const std::string& channel,
                                 const std::string& agent) {
  return series_key(queue, channel).append(agent);
}

namespace {

// Length of the series prefix of a key made by key().
std::size_t series_prefix(const std::string& k) {
  std::size_t at = 0;
  for (int part = 0; part < 2; ++part) {
    const std::size_t colon = k.find(':', at);
    at = colon + 1 + std::stoul(k.substr(at, colon - at));
  }
  return at;
}

}  // namespace

void RecentAnswerers::apply(std::span<const Event* const> events) {
  for (const Event* e : events) apply(*e);
}

void RecentAnswerers::apply(const Event& e) {
  switch (e.type) {
    case EventType::kContactQueued:
      if (waiting_.size() >= kMaxWaiting && !waiting_.contains(e.contact)) drop_oldest_waiting();
      waiting_[e.contact] = {e.queue, e.channel, e.time};
      break;
    case EventType::kContactAnswered: {
      std::string queue = e.queue;
      std::string channel = e.channel;
      if (auto it = waiting_.find(e.contact); it != waiting_.end()) {
        if (queue.empty()) queue = it->second.queue;
        if (channel.empty()) channel = it->second.channel;
        waiting_.erase(it);
      }
      if (queue.empty() || channel.empty() || e.agent.empty()) break;
      auto k = key(queue, channel, e.agent);
      if (answers_.size() >= kMaxAnswers && !answers_.contains(k)) drop_oldest_answers();
      Timestamp& at = answers_[std::move(k)];
      at = std::max(at, e.time);
      break;
    }
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed:
      waiting_.erase(e.contact);
      break;
    case EventType::kAgentState:
      if (!e.state) break;
      if (*e.state == AgentState::kAway || *e.state == AgentState::kOffline) {
        off_since_[e.agent] = e.time;
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
  for (const auto& [k, at] : answers_) {
    if (at < since) continue;
    const std::size_t cut = series_prefix(k);
    const auto off = off_since_.find(k.substr(cut));
    if (off != off_since_.end() && off->second >= at) continue;
    ++out[k.substr(0, cut)];
  }
  return out;
}

void RecentAnswerers::expire(Timestamp since) {
  std::erase_if(answers_, [since](const auto& kv) { return kv.second < since; });
  std::erase_if(off_since_, [since](const auto& kv) { return kv.second < since; });
}

RecentAnswerers::Entries RecentAnswerers::entries() const {
  Entries e;
  e.waiting.reserve(waiting_.size());
  for (const auto& [contact, s] : waiting_)
    e.waiting.push_back({contact, s.queue, s.channel, s.queued});
  std::sort(e.waiting.begin(), e.waiting.end(),
            [](const auto& a, const auto& b) { return a.contact < b.contact; });
  e.answers.assign(answers_.begin(), answers_.end());
  std::sort(e.answers.begin(), e.answers.end());
  e.off_since.assign(off_since_.begin(), off_since_.end());
  std::sort(e.off_since.begin(), e.off_since.end());
  return e;
}

void RecentAnswerers::restore(Entries e) {
  waiting_.clear();
  answers_.clear();
  off_since_.clear();
  for (auto& w : e.waiting) {
    waiting_[std::move(w.contact)] = {std::move(w.queue), std::move(w.channel), w.queued};
  }
  for (auto& [k, t] : e.answers) answers_[std::move(k)] = t;
  for (auto& [k, t] : e.off_since) off_since_[std::move(k)] = t;
}

namespace {

// Erases the oldest tenth (at least one entry) of `map` by `time_of`.
template <typename Map, typename TimeOf>
void drop_oldest_tenth(Map& map, TimeOf time_of) {
  if (map.empty()) return;
  std::vector<Timestamp> times;
  times.reserve(map.size());
  for (const auto& kv : map) times.push_back(time_of(kv));
  const auto nth = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 10);
  std::nth_element(times.begin(), nth, times.end());
  const Timestamp cut = *nth;
  std::erase_if(map, [&](const auto& kv) { return time_of(kv) <= cut; });
}

}  // namespace

void RecentAnswerers::drop_oldest_waiting() {
  drop_oldest_tenth(waiting_, [](const auto& kv) { return kv.second.queued; });
}

void RecentAnswerers::drop_oldest_answers() {
  drop_oldest_tenth(answers_, [](const auto& kv) { return kv.second; });
}

}  // namespace ccmon::core
