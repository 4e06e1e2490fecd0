// Ids are remembered as 64-bit hashes in an open-addressing set (linear
// probing, backward-shift deletion, no tombstones) plus a FIFO of
// (hash, accepted-at) that drives both expiry and the max_ids eviction.
// Each hash is in the FIFO exactly once because only new ids are added.
// The first `legacy` FIFO entries are unkeyed hashes from a v1 image
// (deduplicator.hpp).
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

}  // namespace

struct Deduplicator::Impl {
  explicit Impl(std::pmr::memory_resource* table_memory) : slots(table_memory) {}

  DedupOptions options;
  HashKey key;
  std::size_t legacy = 0;  // the oldest FIFO entries hashed unkeyed
  mutable std::uint64_t probe_steps = 0;
  std::pmr::vector<std::uint64_t> slots;  // in the constructor's table_memory
  std::size_t count = 0;
  std::deque<Remembered> fifo;

  // Fibonacci hashing spreads any bias of the hash over the slot bits.
  std::size_t home(std::uint64_t h) const {
    return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> (64 - shift()));
  }
  int shift() const { return std::countr_zero(slots.size()); }
  std::size_t mask() const { return slots.size() - 1; }

  // Slot of `h`, or of the empty slot where it would go.
  std::size_t find(std::uint64_t h) const {
    std::size_t i = home(h);
    for (; slots[i] != kEmpty && slots[i] != h; i = (i + 1) & mask()) ++probe_steps;
    return i;
  }

  bool contains(std::uint64_t h) const { return !slots.empty() && slots[find(h)] == h; }

  IdHash hash(std::string_view id) const {
    return {hash_id(key, id), legacy > 0 ? legacy_hash_id(id) : kEmpty};
  }

  // Whether the id is remembered: under the key, or unkeyed among the
  // legacy ids (h.legacy 0: none).
  bool remembers(const IdHash& h) const {
    return contains(h.keyed) || (h.legacy != kEmpty && contains(h.legacy));
  }

  void rehash(std::size_t capacity) {
    // A new table rather than assign(), which keeps a larger allocation:
    // a table shrunk by reconfigure() gives its memory back.
    std::pmr::vector<std::uint64_t>(capacity, kEmpty, slots.get_allocator()).swap(slots);
    for (const Remembered& r : fifo) slots[find(r.hash)] = r.hash;
  }

  void add(std::uint64_t h, Timestamp now) {
    if (slots.empty() || (count + 1) * 4 > slots.size() * 3) {
      fifo.push_back({h, now});  // rehash() reinserts from the FIFO
      rehash(capacity_for(count + 1));
    } else {
      fifo.push_back({h, now});
      slots[find(h)] = h;
    }
    ++count;
  }

  void remove(std::uint64_t h) {
    std::size_t hole = find(h);
    if (slots[hole] != h) return;
    // Pull later members of the probe run back into the hole unless their
    // home lies cyclically in (hole, j]: lookups never meet an empty slot
    // before their key.
    std::size_t j = hole;
    for (;;) {
      j = (j + 1) & mask();
      if (slots[j] == kEmpty) break;
      const std::size_t k = home(slots[j]);
      const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (stays) continue;
      slots[hole] = slots[j];
      hole = j;
    }
    slots[hole] = kEmpty;
    --count;
  }

  void forget_oldest() {
    if (legacy > 0) --legacy;
    remove(fifo.front().hash);
    fifo.pop_front();
  }

  // Forgets ids older than the horizon.
  void expire(Timestamp now) {
    // An id accepted at t is a duplicate until t + horizon (exclusive).
    while (!fifo.empty() && now - fifo.front().at >= options.horizon) forget_oldest();
  }

  // insert() once expire(now) has run (dedup on).
  bool insert_unexpired(const IdHash& h, Timestamp now) {
    if (remembers(h)) return false;  // the first acceptance keeps its time
    while (count >= options.max_ids) forget_oldest();
    add(h.keyed, now);
    return true;
  }
};

Deduplicator::Deduplicator(DedupOptions options, const HashKey& hash_key,
                           std::pmr::memory_resource* table_memory)
    : impl_(std::make_unique<Impl>(table_memory)) {
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
  if (!d.slots.empty()) __builtin_prefetch(&d.slots[d.home(h.keyed)]);
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
    __builtin_prefetch(&d.slots[d.home(d.fifo[*oldest].hash)]);
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
  auto fresh = std::make_unique<Impl>(impl_->slots.get_allocator().resource());
  fresh->options = options;
  fresh->key = hash_key;
  fresh->legacy = legacy;
  fresh->fifo.assign(remembered.begin(), remembered.end());
  fresh->count = remembered.size();
  fresh->slots.assign(capacity_for(remembered.size()), kEmpty);
  for (const Remembered& r : remembered) {
    if (r.hash == kEmpty) throw std::invalid_argument("a remembered id has the hash 0");
    const std::size_t i = fresh->find(r.hash);
    if (fresh->slots[i] == r.hash) throw std::invalid_argument("an id is remembered twice");
    fresh->slots[i] = r.hash;
  }
  impl_ = std::move(fresh);
}

}  // namespace ccmon::core
