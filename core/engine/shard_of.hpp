// Which shard of `shards` owns a name: an agent's home, and a queue that
// QueuePlacement does not place in order (past its bound, or of a state
// written before placements were kept; docs/architecture.md "Sharding").
// A hash under a fixed, public key, not the process's secret one: every
// process that reads a state directory must place names where the process
// that wrote it did. Clients choosing names can at worst pile agents or
// such queues onto one shard (slower, bounded by the cardinality caps); no
// hash table is indexed by it.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/hash/keyed_hash.hpp"

namespace ccmon::core {

inline std::uint32_t shard_of(std::string_view name, std::uint32_t shards) {
  static constexpr HashKey kPlacement{};  // fixed: placements survive restarts
  return shards <= 1 ? 0 : static_cast<std::uint32_t>(keyed_hash(kPlacement, name) % shards);
}

}  // namespace ccmon::core
