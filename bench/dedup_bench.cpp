// The duplicate-id memory once it holds max_ids: every insert forgets the
// oldest id, whose slot is anywhere in the table. Times inserts in the loop
// of the engine runner's journal replay (batches of 500, each insert's slot
// prefetched 8 inserts ahead; the live path prefetches those in its lookup
// pass before its inserts), with and
// without the forgotten id's slot prefetched too
// (Deduplicator::prefetch_forgotten), in ordinary memory and in the
// daemon's fork-excluded memory (huge pages where the kernel grants them).
// At the default bound the first ~240,000 timed inserts (6 %) also finish
// copying the table's last doubling (core/dedup/deduplicator.cpp), as a
// daemon's would after filling its memory. `1572865 500000` times inserts
// that all fall inside a copy: the fill's last insert starts the doubling
// to 4 Mi slots (docs/kpis.md, "Tables that grow in steps").
//   ccmon_dedup_bench [max_ids=2000000] [inserts=4000000]
// Prints one line per case: CPU ns per insert (CLOCK_THREAD_CPUTIME_ID),
// the best of 3 passes; the passes of the four cases alternate.
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <memory_resource>
#include <string>
#include <vector>

#include "core/dedup/deduplicator.hpp"
#include "core/dedup/prefetched_batch.hpp"
#include "store/fork_excluded_memory.hpp"

namespace {

using ccmon::core::Deduplicator;
using ccmon::core::DedupOptions;

double cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

constexpr std::size_t kBatch = 500;
constexpr std::size_t kAhead = ccmon::core::kDedupPrefetchAhead;  // as the daemon

// ns per insert over `inserts` new ids into a memory filled to max_ids.
double run(std::pmr::memory_resource* memory, bool forgotten, std::size_t max_ids,
           const std::vector<Deduplicator::IdHash>& ids) {
  // Fork-excluded memory comes zeroed, and the daemon says so.
  Deduplicator d(DedupOptions{ccmon::core::hours(24), max_ids}, {}, memory,
                 memory == ccmon::store::fork_excluded_memory());
  const ccmon::core::Timestamp t = ccmon::core::seconds(1'795'338'900);
  for (std::size_t i = 0; i < max_ids; ++i) d.insert(ids[i], t);
  const double c0 = cpu_s();
  std::size_t done = 0;
  for (std::size_t b = max_ids; b + kBatch <= ids.size(); b += kBatch, done += kBatch) {
    for (std::size_t i = 0; i < kAhead; ++i) {
      d.prefetch(ids[b + i]);
      if (forgotten) d.prefetch_forgotten(i);
    }
    for (std::size_t i = 0; i < kBatch; ++i) {
      if (i + kAhead < kBatch) {
        d.prefetch(ids[b + i + kAhead]);
        if (forgotten) d.prefetch_forgotten(kAhead);
      }
      if (!d.insert(ids[b + i], t)) std::abort();  // every id is new
    }
  }
  const double c1 = cpu_s();
  return done == 0 ? 0 : (c1 - c0) * 1e9 / static_cast<double>(done);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t max_ids = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const std::size_t inserts = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4'000'000;
  if (inserts < kBatch) {
    std::fprintf(stderr, "ccmon_dedup_bench: inserts must be at least %zu\n", kBatch);
    return 2;
  }
  // Ids hashed once, under one key, as the io threads hand them over.
  Deduplicator hasher;
  std::vector<Deduplicator::IdHash> ids;
  ids.reserve(max_ids + inserts);
  for (std::size_t i = 0; i < max_ids + inserts; ++i) {
    ids.push_back(hasher.hash("3f2a9c1e-" + std::to_string(i) + "-contact.queued"));
  }
  struct Case {
    const char* memory;
    std::pmr::memory_resource* resource;
    bool forgotten;
  };
  const Case cases[] = {{"ordinary", std::pmr::new_delete_resource(), false},
                        {"ordinary", std::pmr::new_delete_resource(), true},
                        {"fork-excluded", ccmon::store::fork_excluded_memory(), false},
                        {"fork-excluded", ccmon::store::fork_excluded_memory(), true}};
  double best[std::size(cases)];
  std::fill(std::begin(best), std::end(best), 1e18);
  for (int pass = 0; pass < 3; ++pass) {
    for (std::size_t k = 0; k < std::size(cases); ++k) {
      best[k] = std::min(best[k], run(cases[k].resource, cases[k].forgotten, max_ids, ids));
    }
  }
  for (std::size_t k = 0; k < std::size(cases); ++k) {
    std::printf(
        "dedup at max_ids %zu, %s memory, %s: %.1f ns per insert\n", max_ids, cases[k].memory,
        cases[k].forgotten ? "insert and forgotten slots prefetched" : "insert slot prefetched",
        best[k]);
  }
}
