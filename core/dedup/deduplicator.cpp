// Ids are remembered as 64-bit hashes in an open-addressing set (linear
// probing, backward-shift deletion, no tombstones) plus a FIFO of
// (hash, accepted-at) that drives both expiry and the max_ids eviction.
// Each hash is in the FIFO exactly once because only new ids are added.
// The first `legacy` FIFO entries are unkeyed hashes from a v1 image
// (deduplicator.hpp).
//
// The set grows in steps. When it must double, a table twice the size
// takes every new id while the old one keeps the ids remembered so far: the
// oldest `unmoved` of the FIFO, which each insert then copies over
// kMovesPerInsert at a time, newest first, until the old table is freed.
// A lookup reads the new table, then the old one while ids remain
// unmoved: every id is in the new table, or unmoved and in the old one
// (ids already copied stay in the old table too, never forgotten before
// it is freed). The FIFO's front, the only id ever forgotten, is the
// oldest unmoved id while any is. A doubling used to reinsert up to 1.6
// million ids and write a fresh 32 MiB at once, a stall of up to 54 ms
// (docs/kpis.md, "Tables that grow in steps").
#include "core/dedup/deduplicator.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccmon::core {
namespace {

constexpr std::uint64_t kEmpty = 0;
constexpr std::size_t kMinCapacity = 16;
// Ids copied to the new table per insert while the set grows. A doubling
// starts at 3/4 of the old capacity, so the new table can take as many
// inserts again before it fills; at 2 per insert the copy is done halfway.
constexpr std::size_t kMovesPerInsert = 2;
// move_some() loads the new table's slot of the id it will copy this many
// copies later: the copies land at random in a table far larger than the
// caches, and each used to wait for its slot (three quarters of
// Impl::add's samples in a profile of the daemon; docs/kpis.md, "Tables
// that grow in steps"). 16 copies are 8 inserts.
constexpr std::size_t kCopyAhead = 16;

using Remembered = Deduplicator::Remembered;
using IdHash = Deduplicator::IdHash;

// 0 marks an empty slot.
std::uint64_t nonzero(std::uint64_t h) {
  return h == kEmpty ? 1 : h;
}

std::uint64_t hash_id(const HashKey& key, std::string_view id) {
  return nonzero(keyed_hash(key, id));
}

// How a v1 image hashed ids: libstdc++'s std::hash (64-bit MurmurHash).
std::uint64_t legacy_hash_id(std::string_view id) {
  return nonzero(std::hash<std::string_view>{}(id));
}

// Smallest power of two holding `n` hashes at a load factor of at most 3/4.
std::size_t capacity_for(std::size_t n) {
  return std::max(kMinCapacity, std::bit_ceil(n + n / 3 + 1));
}

// A table of slots in the table memory, all kEmpty when made: written
// whole unless the memory comes zeroed, when its pages are first touched
// by the inserts that reach them.
class Slots {
 public:
  Slots(std::pmr::memory_resource* memory, bool zeroed) : memory_(memory), zeroed_(zeroed) {}
  Slots(const Slots&) = delete;
  Slots& operator=(const Slots&) = delete;
  ~Slots() { release(); }

  // Replaces the table with n empty slots; on std::bad_alloc the table
  // is left as it was.
  void make(std::size_t n) {
    auto* p = static_cast<std::uint64_t*>(memory_->allocate(n * sizeof(std::uint64_t)));
    release();
    p_ = p;
    n_ = n;
    if (!zeroed_) std::fill(p_, p_ + n, kEmpty);
  }
  void release() {
    if (p_ != nullptr) memory_->deallocate(p_, n_ * sizeof(std::uint64_t));
    p_ = nullptr;
    n_ = 0;
  }
  void swap(Slots& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
  }

  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::uint64_t& operator[](std::size_t i) { return p_[i]; }
  const std::uint64_t* data() const { return p_; }
  std::pmr::memory_resource* memory() const { return memory_; }
  bool zeroed() const { return zeroed_; }

  // Fibonacci hashing spreads any bias of the hash over the slot bits.
  std::size_t home(std::uint64_t h) const {
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> (64 - std::countr_zero(n_)));
  }
  std::size_t mask() const { return n_ - 1; }

  // Slot of `h`, or of the empty slot where it would go; counts the steps.
  std::size_t find(std::uint64_t h, std::uint64_t& steps) const {
    std::size_t i = home(h);
    for (; p_[i] != kEmpty && p_[i] != h; i = (i + 1) & mask()) ++steps;
    return i;
  }
  bool contains(std::uint64_t h, std::uint64_t& steps) const {
    return n_ != 0 && p_[find(h, steps)] == h;
  }

  // Takes `h` out, pulling later members of its probe run back into the
  // hole unless their home lies cyclically in (hole, j]: lookups never
  // meet an empty slot before their key. Nothing when `h` is absent.
  void remove(std::uint64_t h, std::uint64_t& steps) {
    std::size_t hole = find(h, steps);
    if (p_[hole] != h) return;
    std::size_t j = hole;
    for (;;) {
      j = (j + 1) & mask();
      if (p_[j] == kEmpty) break;
      const std::size_t k = home(p_[j]);
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (stays) continue;
      p_[hole] = p_[j];
      hole = j;
    }
    p_[hole] = kEmpty;
  }

 private:
  std::pmr::memory_resource* memory_;
  bool zeroed_;
  std::uint64_t* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace

struct Deduplicator::Impl {
  Impl(std::pmr::memory_resource* table_memory, bool zeroed)
      : slots(table_memory, zeroed), old(table_memory, zeroed) {}

  DedupOptions options;
  HashKey key;
  std::size_t legacy = 0;  // the oldest FIFO entries hashed unkeyed
  mutable std::uint64_t probe_steps = 0;
  Slots slots;  // every id but the unmoved ones
  // While the set grows: the table before, holding the `unmoved` oldest
  // FIFO entries (and copies of some moved ones); empty otherwise.
  Slots old;
  std::size_t unmoved = 0;
  std::size_t count = 0;
  std::deque<Remembered> fifo;

  std::size_t find(std::uint64_t h) const { return slots.find(h, probe_steps); }

  bool contains(std::uint64_t h) const {
    return slots.contains(h, probe_steps) || (unmoved > 0 && old.contains(h, probe_steps));
  }

  IdHash hash(std::string_view id) const {
    return {hash_id(key, id), legacy > 0 ? legacy_hash_id(id) : kEmpty};
  }

  // Whether the id is remembered: under the key, or unkeyed among the
  // legacy ids (h.legacy 0: none).
  bool remembers(const IdHash& h) const {
    return contains(h.keyed) || (h.legacy != kEmpty && contains(h.legacy));
  }

  // Every id in one new table at once (restore, reconfigure): a fresh
  // table, so one shrunk by reconfigure() gives its memory back.
  void rehash(std::size_t capacity) {
    slots.make(capacity);  // the only step that can throw
    old.release();
    unmoved = 0;
    for (const Remembered& r : fifo) slots[find(r.hash)] = r.hash;
  }

  // Copies up to n unmoved ids, newest first, to the new table; frees the
  // old one after the last.
  void move_some(std::size_t n) {
    for (; n > 0 && unmoved > 0; --n) {
      if (unmoved > kCopyAhead) {
        const std::uint64_t later = fifo[unmoved - 1 - kCopyAhead].hash;
        __builtin_prefetch(slots.data() + slots.home(later), 1);
      }
      const std::uint64_t h = fifo[--unmoved].hash;
      slots[find(h)] = h;
    }
    if (unmoved == 0) old.release();
  }

  void add(std::uint64_t h, Timestamp now) {
    if (slots.empty() || (count + 1) * 4 > slots.size() * 3) {
      move_some(unmoved);  // a doubling before the last finished: not with kMovesPerInsert
      // Made first: should the allocation fail, nothing has changed.
      Slots bigger(slots.memory(), slots.zeroed());
      bigger.make(capacity_for(count + 1));
      old.swap(slots);
      slots.swap(bigger);
      unmoved = count;
    }
    fifo.push_back({h, now});
    slots[find(h)] = h;
    ++count;
    move_some(kMovesPerInsert);
  }

  void forget_oldest() {
    if (legacy > 0) --legacy;
    const std::uint64_t h = fifo.front().hash;
    if (unmoved > 0) {  // the front is the oldest unmoved id: in the old table only
      old.remove(h, probe_steps);
      if (--unmoved == 0) old.release();
    } else {
      slots.remove(h, probe_steps);
    }
    fifo.pop_front();
    --count;
  }

  // Forgets ids older than the horizon.
  void expire(Timestamp now) {
    // An id accepted at t is a duplicate until t + horizon (exclusive).
    while (!fifo.empty() && now - fifo.front().at >= options.horizon) forget_oldest();
  }

  // insert() once expire(now) has run (dedup on).
  bool insert_unexpired(const IdHash& h, Timestamp now) {
    if (remembers(h)) return false;  // the first acceptance keeps its time
    add_new(h, now);
    return true;
  }
  // An id not remembered, once expire(now) has run.
  void add_new(const IdHash& h, Timestamp now) {
    while (count >= options.max_ids) forget_oldest();
    add(h.keyed, now);
  }
};

Deduplicator::Deduplicator(DedupOptions options, const HashKey& hash_key,
                           std::pmr::memory_resource* table_memory, bool table_memory_zeroed)
    : impl_(std::make_unique<Impl>(table_memory, table_memory_zeroed)) {
  impl_->options = options;
  impl_->key = hash_key;
}

Deduplicator::~Deduplicator() = default;

Deduplicator::IdHash Deduplicator::hash(std::string_view id) const {
  return impl_->hash(id);
}

std::uint64_t Deduplicator::keyed_hash_of(const HashKey& key, std::string_view id) {
  return hash_id(key, id);
}

Deduplicator::IdHash Deduplicator::hash(std::string_view id, const HashKey& key,
                                        std::uint64_t keyed) const {
  const Impl& d = *impl_;
  if (key != d.key) return d.hash(id);
  return {keyed, d.legacy > 0 ? legacy_hash_id(id) : kEmpty};
}

void Deduplicator::prefetch(const IdHash& h) const {
  const Impl& d = *impl_;
  if (!d.slots.empty()) __builtin_prefetch(d.slots.data() + d.slots.home(h.keyed));
  if (d.unmoved > 0) __builtin_prefetch(d.old.data() + d.old.home(h.keyed));
}

std::optional<std::size_t> Deduplicator::forgotten_by_insert(std::size_t held, std::size_t ahead,
                                                             std::size_t max_ids) {
  // That insert would make held + ahead + 1 ids: one past max_ids forgets
  // the oldest (index 0), each further one the next.
  if (held + ahead < max_ids) return std::nullopt;
  return held + ahead - max_ids;
}

void Deduplicator::prefetch_forgotten(std::size_t ahead) const {
  const Impl& d = *impl_;
  const auto oldest = forgotten_by_insert(d.count, ahead, d.options.max_ids);
  if (oldest && *oldest < d.fifo.size()) {
    // Ids forgotten meanwhile leave from the front and do not change which
    // stay unmoved; the 2 * ahead ids copied meanwhile leave from the back.
    const Slots& t = *oldest + kMovesPerInsert * ahead < d.unmoved ? d.old : d.slots;
    __builtin_prefetch(t.data() + t.home(d.fifo[*oldest].hash));
  }
}

bool Deduplicator::insert(std::string_view id, Timestamp now) {
  Impl& d = *impl_;
  if (d.options.max_ids == 0) return true;  // remembering nothing: dedup off
  // Hashed after expiring: the last legacy id may expire and with it the
  // unkeyed lookups.
  d.expire(now);
  return d.insert_unexpired(d.hash(id), now);
}

bool Deduplicator::insert(const IdHash& h, Timestamp now) {
  Impl& d = *impl_;
  if (d.options.max_ids == 0) return true;  // remembering nothing: dedup off
  d.expire(now);
  return d.insert_unexpired(h, now);
}

void Deduplicator::insert_new(const IdHash& h, Timestamp now) {
  Impl& d = *impl_;
  if (d.options.max_ids == 0) return;  // remembering nothing: dedup off
  // An id contains() found new may be one of those this expiry forgets
  // (contains() answers as insert() would, after expiring): gone after it.
  d.expire(now);
  d.add_new(h, now);
}

bool Deduplicator::contains(std::string_view id, Timestamp now) const {
  if (impl_->options.max_ids == 0) return false;
  return contains(impl_->hash(id), now);
}

bool Deduplicator::contains(const IdHash& h, Timestamp now) const {
  const Impl& d = *impl_;
  if (d.options.max_ids == 0) return false;
  if (!d.remembers(h)) return false;
  // insert() expires first: an id among those it would forget is new. (An
  // id remembered under both hashes is a 2^-64 accident, not handled.)
  for (const auto& r : d.fifo) {
    if (now - r.at < d.options.horizon) break;
    if (r.hash == h.keyed || r.hash == h.legacy) return false;
  }
  return true;
}

void Deduplicator::expire(Timestamp now) {
  impl_->expire(now);
}

std::size_t Deduplicator::size() const {
  return impl_->count;
}

void Deduplicator::reconfigure(DedupOptions options) {
  Impl& d = *impl_;
  d.options = options;
  while (d.count > d.options.max_ids) d.forget_oldest();
  // Give back memory when the bound shrank well below the table.
  if (!d.slots.empty() && capacity_for(d.options.max_ids) < d.slots.size()) {
    d.fifo.shrink_to_fit();
    d.rehash(capacity_for(d.count));
  }
}

DedupOptions Deduplicator::options() const {
  return impl_->options;
}

std::vector<Remembered> Deduplicator::remembered() const {
  return {impl_->fifo.begin(), impl_->fifo.end()};
}

std::size_t Deduplicator::remembered(std::size_t from, std::span<Remembered> out) const {
  const auto& fifo = impl_->fifo;
  if (from >= fifo.size()) return 0;
  const std::size_t k = std::min(out.size(), fifo.size() - from);
  const auto first = fifo.begin() + static_cast<std::ptrdiff_t>(from);
  std::copy(first, first + static_cast<std::ptrdiff_t>(k), out.begin());
  return k;
}

const HashKey& Deduplicator::hash_key() const {
  return impl_->key;
}

std::size_t Deduplicator::legacy() const {
  return impl_->legacy;
}

std::uint64_t Deduplicator::probe_steps() const {
  return impl_->probe_steps;
}

void Deduplicator::restore(DedupOptions options, const std::vector<Remembered>& remembered,
                           const HashKey& hash_key, std::size_t legacy) {
  if (legacy > remembered.size()) {
    throw std::invalid_argument("more legacy (unkeyed) ids than remembered ids");
  }
  if (remembered.size() > options.max_ids) {
    std::string what("more remembered ids (");
    what.append(std::to_string(remembered.size()))
        .append(") than max_ids (")
        .append(std::to_string(options.max_ids))
        .append(")");
    throw std::invalid_argument(what);
  }
  auto fresh = std::make_unique<Impl>(impl_->slots.memory(), impl_->slots.zeroed());
  fresh->options = options;
  fresh->key = hash_key;
  fresh->legacy = legacy;
  fresh->fifo.assign(remembered.begin(), remembered.end());
  fresh->count = remembered.size();
  fresh->slots.make(capacity_for(remembered.size()));
  for (const Remembered& r : remembered) {
    if (r.hash == kEmpty) throw std::invalid_argument("a remembered id has the hash 0");
    const std::size_t i = fresh->find(r.hash);
    if (fresh->slots[i] == r.hash) throw std::invalid_argument("an id is remembered twice");
    fresh->slots[i] = r.hash;
  }
  impl_ = std::move(fresh);
}

}  // namespace ccmon::core
