// Ids are remembered as 64-bit hashes in an open-addressing set (linear
// probing, backward-shift deletion, no tombstones) plus a FIFO of
// (hash, accepted-at) that drives both expiry and the max_ids eviction.
// Each hash is in the FIFO exactly once because only new ids are added.
#include "core/dedup/deduplicator.hpp"

#include <bit>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace ccmon::core {
namespace {

constexpr std::uint64_t kEmpty = 0;
constexpr std::size_t kMinCapacity = 16;

struct Remembered {
  std::uint64_t hash;
  Timestamp at;
};

std::uint64_t hash_id(std::string_view id) {
  // libstdc++ hashes bytes with 64-bit MurmurHash; 0 marks an empty slot.
  const std::uint64_t h = std::hash<std::string_view>{}(id);
  return h == kEmpty ? 1 : h;
}

// Smallest power of two holding `n` hashes at a load factor of at most 3/4.
std::size_t capacity_for(std::size_t n) {
  return std::max(kMinCapacity, std::bit_ceil(n + n / 3 + 1));
}

}  // namespace

struct Deduplicator::Impl {
  DedupOptions options;
  std::vector<std::uint64_t> slots;
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
    while (slots[i] != kEmpty && slots[i] != h) i = (i + 1) & mask();
    return i;
  }

  bool contains(std::uint64_t h) const { return !slots.empty() && slots[find(h)] == h; }

  void rehash(std::size_t capacity) {
    slots.assign(capacity, kEmpty);
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
    remove(fifo.front().hash);
    fifo.pop_front();
  }
};

Deduplicator::Deduplicator(DedupOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

Deduplicator::~Deduplicator() = default;

bool Deduplicator::insert(std::string_view id, Timestamp now) {
  Impl& d = *impl_;
  if (d.options.max_ids == 0) return true;  // remembering nothing: dedup off
  expire(now);
  const std::uint64_t h = hash_id(id);
  if (d.contains(h)) return false;  // the first acceptance keeps its time
  while (d.count >= d.options.max_ids) d.forget_oldest();
  d.add(h, now);
  return true;
}

bool Deduplicator::contains(std::string_view id, Timestamp now) const {
  const Impl& d = *impl_;
  if (d.options.max_ids == 0) return false;
  const std::uint64_t h = hash_id(id);
  if (!d.contains(h)) return false;
  // insert() expires first: an id among those it would forget is new.
  for (const auto& r : d.fifo) {
    if (now - r.at < d.options.horizon) break;
    if (r.hash == h) return false;
  }
  return true;
}

void Deduplicator::expire(Timestamp now) {
  Impl& d = *impl_;
  // An id accepted at t is a duplicate until t + horizon (exclusive).
  while (!d.fifo.empty() && now - d.fifo.front().at >= d.options.horizon) d.forget_oldest();
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

}  // namespace ccmon::core
