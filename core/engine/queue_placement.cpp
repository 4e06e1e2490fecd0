#include "core/engine/queue_placement.hpp"

#include <stdexcept>
#include <utility>

#include "core/engine/shard_of.hpp"

namespace ccmon::core {

QueuePlacement::QueuePlacement(std::uint32_t shards, const HashKey& key)
    : shards_(shards < 1 ? 1 : shards), shard_(0, KeyedStringHash{key}) {
  if (shards_ > 1) place("");
}

QueuePlacement QueuePlacement::hashed(std::uint32_t shards, const HashKey& key) {
  QueuePlacement p(shards, key);
  p.hashed_ = true;
  p.order_.clear();
  p.shard_.clear();
  return p;
}

QueuePlacement QueuePlacement::restored(std::uint32_t shards, const HashKey& key,
                                        std::vector<std::string> order) {
  QueuePlacement p(shards, key);
  if (p.shards_ == 1) {
    if (!order.empty()) throw std::invalid_argument("queue placement: queues placed with 1 shard");
    return p;
  }
  if (order.empty() || !order.front().empty()) {
    throw std::invalid_argument("queue placement: the unknown queue \"\" is not placed first");
  }
  if (order.size() > kMaxPlaced) {
    throw std::invalid_argument("queue placement: " + std::to_string(order.size()) +
                                " queues placed, more than " + std::to_string(kMaxPlaced));
  }
  for (std::size_t i = 1; i < order.size(); ++i) {
    p.place(order[i]);
    if (p.order_.size() != i + 1) {
      throw std::invalid_argument("queue placement: a queue placed twice");
    }
  }
  return p;
}

std::uint32_t QueuePlacement::place(std::string_view queue) {
  if (shards_ == 1) return 0;
  if (hashed_) return shard_of(queue, shards_);
  if (auto it = shard_.find(queue); it != shard_.end()) return it->second;
  if (order_.size() >= kMaxPlaced) return shard_of(queue, shards_);
  const auto s = static_cast<std::uint32_t>(order_.size() % shards_);
  order_.emplace_back(queue);
  shard_.emplace(order_.back(), s);
  return s;
}

}  // namespace ccmon::core
