#include "core/engine/shard_router.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace ccmon::core {

ShardRouter::ShardRouter(std::uint32_t shards, const EngineConfig& config, const HashKey& key)
    : shards_(std::max<std::uint32_t>(1, shards)), key_(key) {
  configure(config);
}

void ShardRouter::configure(const EngineConfig& config) {
  contact_idle_ = config.contact_idle_timeout;
  case_idle_ = config.case_idle_timeout;
  contact_cap_ = config.max_tracked_contacts;
  case_cap_ = config.max_tracked_cases;
}

void ShardRouter::remember(Memory& m, std::string_view id, std::uint32_t shard, Timestamp last) {
  auto [it, fresh] = m.try_emplace(keyed_hash(key_, id), Place{shard, last, false});
  if (!fresh && last > it->second.last) it->second = {shard, last, false};
}

void ShardRouter::remember_contact(std::string_view id, std::uint32_t shard, Timestamp last) {
  remember(contacts_, id, shard, last);
}

void ShardRouter::remember_case(std::string_view id, std::uint32_t shard, Timestamp last) {
  remember(cases_, id, shard, last);
}

std::uint32_t ShardRouter::shard_of_queue(std::string_view queue) const {
  return static_cast<std::uint32_t>(keyed_hash(key_, queue) % shards_);
}

std::uint32_t ShardRouter::follow(Memory& m, std::size_t cap, std::string_view id, Timestamp t,
                                  std::string_view queue) {
  const std::uint64_t h = keyed_hash(key_, id);
  if (!queue.empty()) {  // the queue decides, and the id follows it
    const std::uint32_t s = shard_of_queue(queue);
    auto [it, fresh] = m.try_emplace(h, Place{s, t, false});
    if (!fresh) {
      if (it->second.guessed && it->second.shard != s) guessed_from_ = it->second.shard;
      it->second = {s, std::max(it->second.last, t), false};
    }
    if (fresh && m.size() > cap) forget_older_half(m);
    return s;
  }
  if (auto it = m.find(h); it != m.end()) {
    it->second.last = std::max(it->second.last, t);
    return it->second.shard;
  }
  // Not known yet: its queue may come later (unordered delivery). Until then
  // it goes to the `unknown` queue's shard, remembered as a guess.
  const std::uint32_t s = shard_of_queue({});
  m.try_emplace(h, Place{s, t, true});
  if (m.size() > cap) forget_older_half(m);
  return s;
}

std::uint32_t ShardRouter::route(const Event& e) {
  guessed_from_ = kEveryShard;
  if (shards_ == 1) return 0;
  switch (e.type) {
    case EventType::kAgentState:
      return kEveryShard;
    case EventType::kCaseOpened:
    case EventType::kCaseEscalated:
    case EventType::kCaseResolved:
    case EventType::kCaseReopened:
      return follow(cases_, case_cap_, e.case_id, e.time, e.queue);
    case EventType::kCustomerChurned:
      return shard_of_queue(e.queue);
    case EventType::kSurveyAnswered:
      // Late, after its contact is done: its own queue decides for it alone.
      if (!e.queue.empty() || e.contact.empty()) return shard_of_queue(e.queue);
      return follow(contacts_, contact_cap_, e.contact, e.time, {});
    default:
      if (e.contact.empty()) return shard_of_queue(e.queue);
      return follow(contacts_, contact_cap_, e.contact, e.time, e.queue);
  }
}

void ShardRouter::forget_before(Memory& m, Timestamp cutoff) {
  absl::erase_if(m, [&](const auto& kv) { return kv.second.last < cutoff; });
}

void ShardRouter::forget_older_half(Memory& m) {
  std::vector<Timestamp> times;
  times.reserve(m.size());
  for (const auto& [h, p] : m) times.push_back(p.last);
  auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), mid, times.end());
  forget_before(m, *mid);
}

void ShardRouter::advance(Timestamp now) {
  if (shards_ == 1) return;
  // A sweep reads the whole memory: at most once per eighth of the idle
  // timeout, so an entry outlives its contact by at most that much.
  if (last_sweep_ != std::numeric_limits<Timestamp>::min() &&
      now - last_sweep_ < contact_idle_ / 8) {
    return;
  }
  last_sweep_ = now;
  forget_before(contacts_, now - contact_idle_);
  forget_before(cases_, now - case_idle_);
}

}  // namespace ccmon::core
