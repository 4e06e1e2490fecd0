#include "core/engine/shard_router.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::core {

ShardRouter::ShardRouter(std::uint32_t shards, const EngineConfig& config, const HashKey& key)
    : shards_(std::max<std::uint32_t>(1, shards)), key_(key), queues_(shards_, key) {
  configure(config);
}

void ShardRouter::restore_queues(QueuePlacement queues) {
  if (queues.shards() != shards_) {
    throw std::invalid_argument("shard router: queues placed over " +
                                std::to_string(queues.shards()) + " shards, not " +
                                std::to_string(shards_));
  }
  queues_ = std::move(queues);
}

void ShardRouter::configure(const EngineConfig& config) {
  contact_idle_ = config.contact_idle_timeout;
  case_idle_ = config.case_idle_timeout;
  contact_cap_ = config.max_tracked_contacts * shards_;
  case_cap_ = config.max_tracked_cases * shards_;
  agent_cap_ = config.max_tracked_agents * shards_;
}

void ShardRouter::between_batches() {
  if (agents_.size() > 2 * agent_cap_) forget_older_half(agents_);
}

void ShardRouter::remember_contact(std::string_view id, std::uint32_t shard, Timestamp last,
                                   bool placed) {
  const Place p{shard, last, !placed};
  auto [it, fresh] = contacts_.try_emplace(keyed_hash(key_, id), p);
  if (fresh) return;
  const Place& q = it->second;
  if (std::pair(!p.guessed, p.last) > std::pair(!q.guessed, q.last)) it->second = p;
}

void ShardRouter::remember_case(std::string_view id, std::uint32_t shard, Timestamp last) {
  auto [it, fresh] = cases_.try_emplace(keyed_hash(key_, id), Place{shard, last, false});
  if (!fresh && last > it->second.last) it->second = {shard, last, false};
}

std::uint32_t ShardRouter::follow(Memory& m, std::size_t cap, std::string_view id,
                                  const std::uint64_t* hash, Timestamp t, std::string_view queue,
                                  bool moves, bool guesses) {
  // A contact is a guess until a queueing places it: before, any event
  // naming a queue may move it, and its waiting events follow it.
  const std::uint64_t h = hash ? *hash : keyed_hash(key_, id);
  if (auto it = m.find(h); it != m.end()) {
    Place& p = it->second;
    p.last = std::max(p.last, t);
    if (!queue.empty() && (moves || p.guessed)) {
      const std::uint32_t s = shard_of_queue(queue);
      if (p.guessed && p.shard != s) guessed_from_ = p.shard;
      p.shard = s;
      p.guessed = guesses && !moves;
    }
    guessed_ = p.guessed;
    return p.shard;
  }
  const std::uint32_t s = shard_of_queue(queue);
  guessed_ = guesses && !moves;
  if (!queue.empty() || (guesses && m.size() < cap)) {
    m.try_emplace(h, Place{s, t, guessed_});
    // Past twice the engines' caps together: halved, and what is left
    // still covers every contact the engines can track.
    if (m.size() > 2 * cap) forget_older_half(m);
  }  // else full: routed as a guess, not remembered
  return s;
}

std::uint32_t ShardRouter::route(const Event& e, const std::uint64_t* contact_hash) {
  guessed_ = false;
  guessed_from_ = kEveryShard;
  if (shards_ == 1) return 0;
  switch (e.type) {
    case EventType::kAgentState:
      return kEveryShard;  // the shards of agent_shards()
    case EventType::kCaseOpened:
    case EventType::kCaseEscalated:
    case EventType::kCaseResolved:
    case EventType::kCaseReopened:
      return follow(cases_, case_cap_, e.case_id, nullptr, e.time, e.queue,
                    e.type == EventType::kCaseOpened, false);
    case EventType::kCustomerChurned:
      return shard_of_queue(e.queue);
    case EventType::kSurveyAnswered:
      // Late, after its contact is done: its own queue decides for it alone.
      if (!e.queue.empty() || e.contact.empty()) return shard_of_queue(e.queue);
      return follow(contacts_, contact_cap_, e.contact, contact_hash, e.time, {}, false, false);
    default:
      if (e.contact.empty()) return shard_of_queue(e.queue);
      return follow(contacts_, contact_cap_, e.contact, contact_hash, e.time, e.queue,
                    e.type == EventType::kContactQueued, true);
  }
}

void ShardRouter::forget_before(Memory& m, Timestamp cutoff) {
  absl::erase_if(m, [&](const auto& kv) { return kv.second.last < cutoff; });
}

template <typename Map>
void ShardRouter::forget_older_half(Map& m) {
  // By rank, not by time: half goes even when many share one time (event
  // times are the client's).
  std::vector<std::pair<Timestamp, std::uint64_t>> order;
  order.reserve(m.size());
  for (const auto& [h, p] : m) order.emplace_back(p.last, h);
  const auto mid = order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
  std::nth_element(order.begin(), mid, order.end());
  const auto cut = *mid;
  absl::erase_if(m, [&](const auto& kv) { return std::pair(kv.second.last, kv.first) < cut; });
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
