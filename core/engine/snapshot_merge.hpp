// One snapshot out of the snapshots of a ShardedEngine's shards
// (docs/architecture.md "Sharding").
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/engine/shard_of.hpp"
#include "core/engine/snapshot.hpp"

namespace ccmon::core {

// Merges `parts` (one per shard, in shard order, all taken at the same
// `now` with the same configuration) into one snapshot:
//   - series: concatenated and sorted, since the router gives each queue to
//     one shard. A series present in several shards (label values folded
//     into `other` by each shard's own cardinality caps) is added up:
//     counts, counters, histograms and live counts exactly, ratios and means
//     from their parts (value x volume), the longest wait as the largest,
//     and a wait quantile as the largest of the parts' (an upper bound);
//   - teams: their window totals (TeamSnapshot::sums) added up and the KPIs
//     computed from the sum, so they are those of one engine; agents now
//     added up (each shard counts its home agents only);
//   - agents: one row per id: the state, reason and time today of the part
//     that saw its latest agent.state (among equals, as with shards that
//     joined the agent, its home shard, shard_of.hpp), the contacts handled
//     today added up over
//     the shards, the contact it is handling from the shard that has it;
//   - intervals: as series; stats: added up, but tracked agents, which are
//     the distinct agents of all shards.
// Pure; thread-safe for distinct arguments. `parts` must not be empty.
std::shared_ptr<const Snapshot> merge_snapshots(
    std::span<const std::shared_ptr<const Snapshot>> parts);

}  // namespace ccmon::core
