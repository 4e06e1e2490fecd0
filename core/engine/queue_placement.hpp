// Which shard of a ShardedEngine owns each queue (docs/architecture.md
// "Sharding"): queues are placed round-robin in the order the router first
// sees them, after "" (the `unknown` series), which is shard 0's. The i-th
// queue placed (counting "" as the 0th) is shard i % shards's. A hash of
// the name would need no memory, but with a few dozen queues of unequal
// traffic it piles up load where the names happen to fall: over the
// benchmark's day the busiest of 4 shards applied 1.37 times the mean against
// 1.02 placed this way (docs/benchmarks.md, "Analysis of the misses"). The
// order balances the number of queues per shard, not their traffic.
//
// The placements are state: a restarted daemon must place each queue where
// the state it restores has its series, so the state image keeps them
// (docs/state-format.md, "Shards"). Bounded: past kMaxPlaced names a new
// queue's shard is the hash of its name under a fixed key (shard_of.hpp),
// which needs no memory and gives the same shard in every process. So is
// every queue of a state written before placements were kept (hashed()).
//
// Not thread-safe: the router's, on the thread that feeds the engine.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash/keyed_hash.hpp"

namespace ccmon::core {

class QueuePlacement {
 public:
  // Names kept at most: some 6-7 MB with 128-byte names (each is kept in
  // order() and as the map's key). Above the 64 shards' default queue caps
  // together (64 x 200), but every name a client sends takes a place, those
  // an allow-list folds into `other` too, and places are never given back
  // (they are state): past the bound, new queues are hashed.
  static constexpr std::size_t kMaxPlaced = 16384;

  // `shards` >= 1, "" placed on shard 0; names hashed under `key` (the
  // process's secret one: they come from clients).
  QueuePlacement(std::uint32_t shards, const HashKey& key);
  // Every queue's shard hashed from its name (shard_of.hpp), nothing kept:
  // a state written before placements were kept.
  static QueuePlacement hashed(std::uint32_t shards, const HashKey& key);
  // A placement restored from `order` (as order() gave it): "" first,
  // names unique, at most kMaxPlaced; std::invalid_argument naming the
  // problem otherwise.
  static QueuePlacement restored(std::uint32_t shards, const HashKey& key,
                                 std::vector<std::string> order);

  // The shard that owns `queue`, placing it when new. O(1) expected: one
  // keyed hash and a lookup.
  std::uint32_t place(std::string_view queue);

  std::uint32_t shards() const { return shards_; }
  bool hashed() const { return hashed_; }
  // The queues placed, in the order placed ("" first; empty when hashed()
  // or with one shard); order()[i] is shard i % shards()'s.
  const std::vector<std::string>& order() const { return order_; }

 private:
  std::uint32_t shards_;
  bool hashed_ = false;
  std::vector<std::string> order_;
  absl::flat_hash_map<std::string, std::uint32_t, KeyedStringHash, std::equal_to<>> shard_;
};

}  // namespace ccmon::core
