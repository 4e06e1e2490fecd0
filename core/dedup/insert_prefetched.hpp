// Inserting a batch of ids into the duplicate-id memory with its cache
// misses overlapped: the engine runner's live path and journal replay
// (server/engine_runner.cpp), and the engine bench, which times the engine
// thread's work as the runner does it (ccmon_engine_bench --engine-thread).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>

#include "core/dedup/deduplicator.hpp"

namespace ccmon::core {

// Inserts ids[k] remembered at at(k) (a Timestamp), in order, as
// Deduplicator::insert one by one does, and with the same results; each
// id's slot and, once the memory is full, the slot of the id its insert
// forgets are prefetched `ahead` inserts before (both are misses at random
// slots of a large table: docs/benchmarks.md, ccmon_dedup_bench).
// `looked_up`: every id is known new as Deduplicator::insert_new requires
// (looked up with contains() first, no two alike), so each insert skips
// its own lookup. Not thread-safe: on the memory's own thread.
template <typename At>
void insert_prefetched(Deduplicator& dedup, std::span<const Deduplicator::IdHash> ids, At at,
                       std::size_t ahead, bool looked_up = false) {
  for (std::size_t k = 0; k < std::min(ids.size(), ahead); ++k) {
    dedup.prefetch(ids[k]);
    dedup.prefetch_forgotten(k);
  }
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (k + ahead < ids.size()) {
      dedup.prefetch(ids[k + ahead]);
      dedup.prefetch_forgotten(ahead);
    }
    if (looked_up) {
      dedup.insert_new(ids[k], at(k));
    } else {
      dedup.insert(ids[k], at(k));
    }
  }
}

}  // namespace ccmon::core
