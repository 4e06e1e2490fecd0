// A batch of ids through the duplicate-id memory with its cache misses
// overlapped: looked up, then (after the caller journals the batch)
// inserted. Shared by the engine runner's live path and journal replay
// (server/engine_runner.cpp) and the engine bench, which times the engine
// thread's work as the runner does it (ccmon_engine_bench --engine-thread).
#pragma once

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/dedup/deduplicator.hpp"
#include "core/time.hpp"

namespace ccmon::core {

// How many ids ahead a batch's slots are prefetched: the slots are misses
// at random places of a large table. Eight is the distance that
// ccmon_dedup_bench and the engine bench measure (docs/benchmarks.md);
// other distances were not compared.
inline constexpr std::size_t kDedupPrefetchAhead = 8;

// The lookup pass of a batch. For i in order, with now = now_of(i) (a
// Timestamp): ids[i] is a duplicate when the memory holds it at now
// (Deduplicator::contains) or an earlier id of the batch that was kept
// has the same keyed hash; otherwise accept(i, now) is called and ids[i]
// is moved to ids[kept++]. Returns kept: ids.first(kept) then holds the
// accepted ids' hashes in order, each new and no two alike, as
// insert_prefetched(..., BatchIds::kLookedUp) requires; what ids[kept..)
// holds is unspecified. now_of(i) is called after accept(j, ...) for every
// accepted j < i, so it may read what accept moved (the engine's clock).
// `seen` is scratch, cleared here; passed in so that one set serves every
// batch (absl's clear() frees a large table, so it is reserved again per
// batch). `ahead`: how many ids ahead the memory's slots are prefetched.
// Changes nothing in the memory. Not thread-safe: on the memory's own
// thread.
template <typename NowOf, typename Accept>
std::size_t look_up_prefetched(const Deduplicator& dedup, std::span<Deduplicator::IdHash> ids,
                               absl::flat_hash_set<std::uint64_t>& seen, NowOf now_of,
                               Accept accept, std::size_t ahead = kDedupPrefetchAhead) {
  const std::size_t n = ids.size();
  seen.clear();
  seen.reserve(n);  // one allocation per batch, no growth
  for (std::size_t i = 0; i < std::min(n, ahead); ++i) dedup.prefetch(ids[i]);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i + ahead < n) dedup.prefetch(ids[i + ahead]);
    const Deduplicator::IdHash h = ids[i];
    const Timestamp now = now_of(i);
    if (dedup.contains(h, now) || !seen.insert(h.keyed).second) continue;
    // In place: kept <= i, and no hash before i is read again.
    ids[kept++] = h;
    accept(i, now);
  }
  return kept;
}

// What insert_prefetched may assume of its ids: nothing (each insert looks
// its id up, as Deduplicator::insert), or that they were looked up as new
// (look_up_prefetched's kept ids), so that each insert skips its own
// lookup (Deduplicator::insert_new). An enum, not a bool, so that a count
// cannot be passed in its place.
enum class BatchIds { kUnchecked, kLookedUp };

// Inserts ids[k] remembered at at(k) (a Timestamp), in order, as
// Deduplicator::insert one by one does, and with the same results; each
// id's slot and, once the memory is full, the slot of the id its insert
// forgets are prefetched `ahead` inserts before (both are misses at random
// slots of a large table). Not thread-safe: on the memory's own thread.
template <typename At>
void insert_prefetched(Deduplicator& dedup, std::span<const Deduplicator::IdHash> ids, At at,
                       BatchIds known, std::size_t ahead = kDedupPrefetchAhead) {
  for (std::size_t k = 0; k < std::min(ids.size(), ahead); ++k) {
    dedup.prefetch(ids[k]);
    dedup.prefetch_forgotten(k);
  }
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (k + ahead < ids.size()) {
      dedup.prefetch(ids[k + ahead]);
      dedup.prefetch_forgotten(ahead);
    }
    if (known == BatchIds::kLookedUp) {
      dedup.insert_new(ids[k], at(k));
    } else {
      dedup.insert(ids[k], at(k));
    }
  }
}

}  // namespace ccmon::core
