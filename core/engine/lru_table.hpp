// Records keyed by an external id (contact, case, agent), stored in a slot
// vector so other records can point at them with a small handle, indexed by a
// flat hash table (no node per record), and chained in least-recently-touched
// order for idle eviction and hard caps. The chain links live in their own
// dense array: touching a record relinks its neighbours, which would otherwise
// be two cache misses into large records per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/engine/assert.hpp"
#include "core/engine/inline_key.hpp"
#include "core/engine/persist_access.hpp"
#include "core/hash/keyed_hash.hpp"

namespace ccmon::core::engine_detail {

using core::HashKey;
using core::keyed_hash;

inline constexpr std::uint32_t kNil = 0xFFFFFFFFu;

// A handle that stays safe after its record is evicted: the generation
// changes when the slot is reused.
struct Handle {
  std::uint32_t slot = kNil;
  std::uint32_t gen = 0;
};

template <typename V>
class LruTable {
 public:
  // Keys are client-chosen: the table hashes them under a secret key
  // (core/hash/keyed_hash.hpp), set while the table is empty.
  void set_hash_key(const HashKey& key) {
    CCMON_ASSERT(size_ == 0);
    hash_key_ = key;
  }
  const HashKey& hash_key() const { return hash_key_; }

  // Callers that may look up then insert hash once and pass it to both.
  std::uint64_t hash_of(std::string_view key) const { return keyed_hash(hash_key_, key); }

  std::uint32_t find(std::string_view key) const { return find(key, hash_of(key)); }
  std::uint32_t find(std::string_view key, std::uint64_t h) const {
    if (cells_.empty()) return kNil;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      ++probe_steps_;
      const Cell& c = cells_[i];
      if (c.slot == kNil) return kNil;
      if (c.tag == tag && entries_[c.slot].key.view() == key) return c.slot;
    }
  }

  // Cache hints for a key about to be looked up: first its probe cell, then
  // (once the cell is likely cached) the record the tag points at. Pure
  // hints: no effect on the table, harmless when the key is absent.
  void prefetch_cell(std::uint64_t h) const {
    if (!cells_.empty()) __builtin_prefetch(&cells_[h & mask_]);
  }
  void prefetch_record(std::uint64_t h) const {
    if (cells_.empty()) return;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_; cells_[i].slot != kNil; i = (i + 1) & mask_) {
      if (cells_[i].tag == tag) {
        const char* p = reinterpret_cast<const char*>(&entries_[cells_[i].slot]);
        for (std::size_t off = 0; off < sizeof(Entry); off += 64) __builtin_prefetch(p + off);
        __builtin_prefetch(&links_[cells_[i].slot]);
        return;
      }
    }
  }

  // Inserts a fresh record (the key must be absent) at the most recent end.
  std::uint32_t insert(std::string_view key) { return insert(key, hash_of(key)); }
  std::uint32_t insert(std::string_view key, std::uint64_t h) {
    if ((size_ + 1) * 2 > cells_.size()) grow();
    std::uint32_t s;
    if (free_.empty()) {
      s = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
      links_.emplace_back();
    } else {
      s = free_.back();
      free_.pop_back();
    }
    Entry& e = entries_[s];
    e.value = V{};
    e.used = true;
    e.key.assign(key);
    e.hash = h;
    place(s);
    ++size_;
    link_back(s);
    return s;
  }

  void touch(std::uint32_t s) {
    if (tail_ == s) return;
    unlink(s);
    link_back(s);
  }

  void erase(std::uint32_t s) {
    Entry& e = entries_[s];
    unlink(s);
    // Backward-shift deletion keeps probe chains intact without tombstones.
    std::size_t i = e.hash & mask_;
    while (cells_[i].slot != s) i = (i + 1) & mask_;
    for (std::size_t j = (i + 1) & mask_; cells_[j].slot != kNil; j = (j + 1) & mask_) {
      const std::size_t home = entries_[cells_[j].slot].hash & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        cells_[i] = cells_[j];
        i = j;
      }
    }
    cells_[i] = Cell{};
    --size_;
    e.key.clear();
    e.value = V{};
    e.used = false;
    ++e.gen;
    free_.push_back(s);
  }

  V& operator[](std::uint32_t s) { return entries_[s].value; }
  const V& operator[](std::uint32_t s) const { return entries_[s].value; }
  std::string_view key(std::uint32_t s) const { return entries_[s].key.view(); }
  Handle handle(std::uint32_t s) const { return {s, entries_[s].gen}; }
  bool valid(Handle h) const {
    return h.slot < entries_.size() && entries_[h.slot].used && entries_[h.slot].gen == h.gen;
  }
  std::uint32_t oldest() const { return head_; }
  std::size_t size() const { return size_; }

  // The estimated bytes of one tracked record (for state.max_tracked_bytes),
  // apart from what the record's value owns on the heap: its slot (the
  // value, the inline id, hash, generation), its LRU link, and its share of
  // the hash index, which is kept at most half full and doubles when it
  // fills: 2 to 4 cells per record, 4 counted. Slack of the slot vectors
  // is not counted: freed slots are reused, so it never outgrows the most
  // records ever tracked at once.
  static constexpr std::size_t kRecordBytes();
  // The heap bytes of an id beyond its inline part (InlineKey::kInline).
  static std::size_t key_heap_bytes(std::string_view key) {
    return key.size() > InlineKey::kInline ? key.size() : 0;
  }
  // Cells visited by find() and inserts since construction: the measure of
  // probe-chain length that the hash-flooding tests bound.
  std::uint64_t probe_steps() const { return probe_steps_; }

  // Calls f(slot, record) from the least to the most recently touched.
  template <typename F>
  void for_each(F&& f) {
    for (std::uint32_t s = head_; s != kNil; s = links_[s].next) f(s, entries_[s].value);
  }
  template <typename F>
  void for_each(F&& f) const {
    for (std::uint32_t s = head_; s != kNil; s = links_[s].next) f(s, entries_[s].value);
  }

 private:
  friend struct persist::Access;

  // Open addressing, linear probing, at most half full. The tag (high hash
  // bits) avoids touching the record for most mismatches.
  struct Cell {
    std::uint32_t tag = 0;
    std::uint32_t slot = kNil;
  };
  struct Entry {
    V value{};
    InlineKey key;
    std::uint64_t hash = 0;
    std::uint32_t gen = 0;
    bool used = false;
  };
  struct Link {
    std::uint32_t prev = kNil, next = kNil;
  };
  static constexpr std::size_t kCellsPerRecord = 4;

  void place(std::uint32_t s) {
    const std::uint64_t h = entries_[s].hash;
    std::size_t i = h & mask_;
    for (; cells_[i].slot != kNil; i = (i + 1) & mask_) ++probe_steps_;
    cells_[i] = {static_cast<std::uint32_t>(h >> 32), s};
  }

  void grow() {
    const std::size_t cap = cells_.empty() ? 16 : cells_.size() * 2;
    cells_.assign(cap, Cell{});
    mask_ = cap - 1;
    for (std::uint32_t s = 0; s < entries_.size(); ++s) {
      if (entries_[s].used) place(s);
    }
  }

  void unlink(std::uint32_t s) {
    Link& l = links_[s];
    CCMON_ASSERT(l.prev == kNil ? head_ == s : links_[l.prev].next == s);
    CCMON_ASSERT(l.next == kNil ? tail_ == s : links_[l.next].prev == s);
    (l.prev == kNil ? head_ : links_[l.prev].next) = l.next;
    (l.next == kNil ? tail_ : links_[l.next].prev) = l.prev;
    l.prev = l.next = kNil;
  }
  void link_back(std::uint32_t s) {
    Link& l = links_[s];
    CCMON_ASSERT(tail_ == kNil ? head_ == kNil : links_[tail_].next == kNil);
    l.prev = tail_;
    l.next = kNil;
    (tail_ == kNil ? head_ : links_[tail_].next) = s;
    tail_ = s;
  }

  std::vector<Entry> entries_;
  std::vector<Link> links_;  // parallel to entries_
  std::vector<std::uint32_t> free_;
  std::vector<Cell> cells_;
  std::size_t mask_ = 0, size_ = 0;
  std::uint32_t head_ = kNil, tail_ = kNil;
  HashKey hash_key_;
  mutable std::uint64_t probe_steps_ = 0;
};

template <typename V>
constexpr std::size_t LruTable<V>::kRecordBytes() {
  return sizeof(Entry) + sizeof(Link) + kCellsPerRecord * sizeof(Cell);
}

}  // namespace ccmon::core::engine_detail
