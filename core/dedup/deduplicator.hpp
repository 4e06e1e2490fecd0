// Remembers accepted event ids for the dedup horizon, in bounded memory.
//
// An id is remembered as a 64-bit hash, not its text: two distinct ids
// collide (the second is wrongly taken for a duplicate) with probability
// about n / 2^64 per new id while n ids are remembered: ~1.1e-13 at the
// default bound of 2M ids. The hash is SipHash-2-4 under a secret key
// (core/hash/keyed_hash.hpp): a producer cannot craft ids that collide, in
// the set's probe chains (which would make every insert slow) or in full.
//
// Ids remembered by a v1 state image were hashed with libstdc++'s unkeyed
// std::hash and cannot be rehashed (only hashes are kept). Restored, they
// stay "legacy": the oldest ids of the FIFO, also looked up by their
// unkeyed hash until they expire, while every new id is remembered under
// the key. Lookups of crafted ids by the unkeyed hash stay short because
// no crafted value is ever inserted.
//
// Memory bound: 16 bytes of FIFO (hash, time) per remembered id plus an
// open-addressing table of 8-byte slots sized to the smallest power of two
// that keeps the load at most 3/4, so at most ~37.3 bytes per id at the
// bound once no copy is under way; the default 2M ids take 32 MB of FIFO +
// 32 MiB of table. The table doubles in steps (deduplicator.cpp): until the
// ids of the table before are copied over, at most half as many inserts as
// it held, that table is kept too, half the new one's size: up to ~48 bytes
// per id, and 48 MiB of tables at the default bound, while a copy runs.
//
// Time is the caller's clock and should not run backwards; when it does, ids
// only stay remembered longer (never beyond max_ids).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

struct DedupOptions {
  Duration horizon = hours(24);
  std::size_t max_ids = 2'000'000;  // hard bound; the oldest ids go first past it
};

class Deduplicator {
 public:
  // `hash_key`: the secret key ids are hashed under; a daemon passes a
  // random one, the all-zero default is for tests and tools.
  // `table_memory`: where the slot table lives (the FIFO stays on the
  // heap); it must outlive this object. The table is never read for the
  // state image (the FIFO is), so the daemon passes memory that a forked
  // snapshot process does not inherit (store/fork_excluded_memory.hpp).
  // `table_memory_zeroed`: every allocation of table_memory reads as zeros
  // (fresh anonymous mappings do), so a new table is not written whole when
  // made: its pages are first touched by the inserts that reach them, a
  // few at a time, rather than all at once.
  explicit Deduplicator(DedupOptions options = {}, const HashKey& hash_key = {},
                        std::pmr::memory_resource* table_memory = std::pmr::new_delete_resource(),
                        bool table_memory_zeroed = false);
  ~Deduplicator();

  // An id's hashes, computed once for looking it up and remembering it:
  // `keyed` under the key (never 0), `legacy` the unkeyed one while v1 ids
  // are remembered (else 0). Equal ids have equal hashes; distinct ids share
  // `keyed` with probability 2^-64, as in the memory itself.
  struct IdHash {
    std::uint64_t keyed = 0;
    std::uint64_t legacy = 0;
  };
  IdHash hash(std::string_view id) const;
  // Hashing ahead, on another thread (the daemon's io threads, while the
  // engine thread works): keyed_hash_of(key, id) is hash(id).keyed for a
  // memory whose key is `key`; thread-safe. hash(id, key, keyed) takes such
  // a hash and returns hash(id): `keyed` is used when `key` is this
  // memory's own key (else it is hashed again), and the unkeyed hash is
  // added while v1 ids are remembered; on the memory's own thread.
  static std::uint64_t keyed_hash_of(const HashKey& key, std::string_view id);
  IdHash hash(std::string_view id, const HashKey& key, std::uint64_t keyed) const;
  // hash(id_of(i), key, keyed[i]) for i in [0, keyed.size()), appended to
  // `out`, with the key and the legacy ids looked at once rather than per
  // id (the engine runner's batches). `id_of(i)` gives a std::string_view;
  // on the memory's own thread.
  template <typename IdOf>
  void hash_all(std::span<const std::uint64_t> keyed, const HashKey& key, IdOf id_of,
                std::vector<IdHash>& out) const {
    const bool as_made = key == hash_key() && legacy() == 0;
    for (std::size_t i = 0; i < keyed.size(); ++i) {
      out.push_back(as_made ? IdHash{keyed[i], 0} : hash(id_of(i), key, keyed[i]));
    }
  }
  // A hint: starts loading the table slot where `h` would be looked up, so
  // that a batch's lookups overlap their cache misses (the engine's contact
  // table does the same, docs/kpis.md "Performance").
  void prefetch(const IdHash& h) const;
  // A hint too, for a memory at max_ids, where every insert forgets the
  // oldest id at a random slot: starts loading the slot of the id that the
  // insert `ahead` inserts from now (0: the next) would forget, while
  // nothing expires and none of them is a duplicate meanwhile (else the
  // load is wasted). Nothing when that insert would forget nothing.
  void prefetch_forgotten(std::size_t ahead) const;
  // The rule it follows: the insert `ahead` inserts from now, into a memory
  // holding `held` <= max_ids ids with room for `max_ids`, forgets the id at
  // this index in oldest-first order, counting the ids inserted meanwhile
  // (an index >= held is one of those); nullopt: it forgets none. Pure;
  // `held + ahead` must not overflow. prefetch_forgotten loads that id's
  // home slot.
  static std::optional<std::size_t> forgotten_by_insert(std::size_t held, std::size_t ahead,
                                                        std::size_t max_ids);

  // True when `id` is new (and now remembered at `now`); false when it was
  // accepted within the horizon: a duplicate. An id accepted at t is a
  // duplicate for now in [t, t + horizon) and new again from t + horizon; a
  // duplicate does not extend that. max_ids == 0 turns dedup off.
  bool insert(std::string_view id, Timestamp now);
  // The same with the hashes of hash(id), computed by this object.
  bool insert(const IdHash& h, Timestamp now);
  // insert(h, now) for an id known to be new: contains(h, t) answered
  // false at some t <= now and no insert since was given the same id (the
  // engine runner's batches: looked up, journaled, then inserted). Skips
  // insert's own lookup; the result is the same as insert's, true. Given an
  // id that is remembered, the memory would hold it twice: a broken
  // precondition, not checked.
  void insert_new(const IdHash& h, Timestamp now);

  // What insert(id, now) would answer, without changing anything: true when
  // `id` is a duplicate at `now`. Lets the caller decide, journal, and only
  // then insert (the daemon's command log, docs/architecture.md). Costs a
  // lookup plus a scan of the ids that insert's expiry would forget first.
  bool contains(std::string_view id, Timestamp now) const;
  bool contains(const IdHash& h, Timestamp now) const;

  // Forgets ids older than the horizon.
  void expire(Timestamp now);

  std::size_t size() const;
  void reconfigure(DedupOptions options);

  // For the state codec (core/persist): the memory as (hash, accepted-at)
  // pairs, oldest first, and its restoration. The hashes are all there is
  // (ids are not kept), so they are written out; restore() rebuilds the
  // table. What encoding reads (options, size, remembered, hash_key,
  // legacy) never touches the slot table, so it runs in a process that
  // does not map the table (see the constructor).
  struct Remembered {
    std::uint64_t hash;
    Timestamp at;
  };
  // The hashes are only meaningful under the key they were made with, so
  // the key is state too and travels with them; `legacy` counts the oldest
  // remembered ids that were hashed unkeyed (restored from a v1 image).
  DedupOptions options() const;
  std::vector<Remembered> remembered() const;
  // Copies the remembered ids from the `from`-th oldest into `out`, as
  // many as fit; returns how many (0 once `from` >= size()). Lets the
  // codec write millions of ids without a copy of them all.
  std::size_t remembered(std::size_t from, std::span<Remembered> out) const;
  const HashKey& hash_key() const;
  std::size_t legacy() const;
  // Replaces options, key and memory; the first `legacy` ids of
  // `remembered` are unkeyed std::hash values. Throws std::invalid_argument
  // naming the problem (a zero or repeated hash, more ids than max_ids,
  // more legacy ids than ids) and then leaves everything unchanged.
  void restore(DedupOptions options, const std::vector<Remembered>& remembered,
               const HashKey& hash_key, std::size_t legacy);

  // Cells visited by lookups and inserts since construction or restore: the
  // measure of probe-chain length that the hash-flooding tests bound.
  std::uint64_t probe_steps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccmon::core
