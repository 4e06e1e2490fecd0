#include "core/engine/sharded_engine.hpp"

#include <algorithm>

#include "core/engine/snapshot.hpp"
#include "core/engine/snapshot_merge.hpp"

namespace ccmon::core {

ShardedEngine::ShardedEngine(EngineConfig config, std::uint32_t shards, const HashKey& key)
    : key_(key), router_(shards, config, key) {
  const std::uint32_t n = router_.shards();
  for (std::uint32_t i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Engine>(config, key, ShardPlace{i, n}));
  }
  lists_.resize(n);
}

void ShardedEngine::partition(std::span<const Event* const> events,
                              std::vector<std::vector<const Event*>>& out) {
  for (const Event* e : events) {
    const std::uint32_t s = router_.route(*e);
    if (s == ShardRouter::kEveryShard) {
      for (auto& list : out) list.push_back(e);
    } else {
      out[s].push_back(e);
    }
  }
}

void ShardedEngine::apply(std::span<const Event* const> events) {
  for (auto& list : lists_) list.clear();
  partition(events, lists_);
  for (std::size_t i = 0; i < shards_.size(); ++i) shards_[i]->apply(lists_[i]);
}

ApplyResult ShardedEngine::apply(const Event& event) {
  const std::uint32_t s = router_.route(event);
  if (s != ShardRouter::kEveryShard) return shards_[s]->apply(event);
  ApplyResult first = ApplyResult::kApplied;
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    const ApplyResult r = shards_[i]->apply(event);
    if (i == 0) first = r;
  }
  return first;
}

void ShardedEngine::advance(Timestamp now) {
  router_.advance(now);
  for (auto& s : shards_) s->advance(now);
}

void ShardedEngine::reconfigure(EngineConfig config) {
  router_.configure(config);
  for (auto& s : shards_) s->reconfigure(config);
}

void ShardedEngine::restore_routes() {
  router_ = ShardRouter(shard_count(), config(), key_);
  if (shard_count() == 1) return;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    shards_[i]->for_each_tracked(
        [&](std::string_view id, Timestamp last) { router_.remember_contact(id, i, last); },
        [&](std::string_view id, Timestamp last) { router_.remember_case(id, i, last); });
  }
}

std::shared_ptr<const Snapshot> ShardedEngine::snapshot(Timestamp now) {
  std::vector<std::shared_ptr<const Snapshot>> parts;
  parts.reserve(shards_.size());
  for (auto& s : shards_) parts.push_back(s->snapshot(now));
  return merge_snapshots(parts, key_);
}

}  // namespace ccmon::core
