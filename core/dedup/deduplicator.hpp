// Remembers accepted event ids for the dedup horizon, in bounded memory.
//
// An id is remembered as a 64-bit hash, not its text: two distinct ids
// collide (the second is wrongly taken for a duplicate) with probability
// about n / 2^64 per new id while n ids are remembered: ~1.1e-13 at the
// default bound of 2M ids. The hash is not keyed, so a producer could craft
// colliding ids; that only drops its own events.
//
// Memory bound: 16 bytes of FIFO (hash, time) per remembered id plus an
// open-addressing table of 8-byte slots sized to the smallest power of two
// that keeps the load at most 3/4, so at most ~37.4 bytes per id at the
// bound; the default 2M ids take at most 32 MB of FIFO + 32 MiB of table.
//
// Time is the caller's clock and should not run backwards; when it does, ids
// only stay remembered longer (never beyond max_ids).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::core {

struct DedupOptions {
  Duration horizon = hours(24);
  std::size_t max_ids = 2'000'000;  // hard bound; the oldest ids go first past it
};

class Deduplicator {
 public:
  explicit Deduplicator(DedupOptions options = {});
  ~Deduplicator();

  // True when `id` is new (and now remembered at `now`); false when it was
  // accepted within the horizon: a duplicate. An id accepted at t is a
  // duplicate for now in [t, t + horizon) and new again from t + horizon; a
  // duplicate does not extend that. max_ids == 0 turns dedup off.
  bool insert(std::string_view id, Timestamp now);

  // What insert(id, now) would answer, without changing anything: true when
  // `id` is a duplicate at `now`. Lets the caller decide, journal, and only
  // then insert (the daemon's command log, docs/architecture.md). Costs a
  // lookup plus a scan of the ids that insert's expiry would forget first.
  bool contains(std::string_view id, Timestamp now) const;

  // Forgets ids older than the horizon.
  void expire(Timestamp now);

  std::size_t size() const;
  void reconfigure(DedupOptions options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccmon::core
