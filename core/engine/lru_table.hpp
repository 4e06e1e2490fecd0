// Records keyed by an external id (contact, case, agent), stored in slots so
// other records can point at them with a small handle, indexed by a flat hash
// table (no node per record), and chained in least-recently-touched order for
// idle eviction and hard caps. The chain links live in their own dense array:
// touching a record relinks its neighbours, which would otherwise be two
// cache misses into large records per event.
//
// Nothing grows all at once: the slots are chunked (chunked_vector.hpp), and
// the index is kParts tables chosen by hash bits, each doubling on its own,
// so a doubling rebuilds a 64th of the index. Keys spread evenly over the
// parts, so their doublings fall at different moments (docs/kpis.md,
// "Tables that grow in steps").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/engine/assert.hpp"
#include "core/engine/chunked_vector.hpp"
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
  // hash_of(the key) of a used slot, kept since its insert.
  std::uint64_t hash_at(std::uint32_t s) const { return entries_[s].hash; }

  std::uint32_t find(std::string_view key) const { return find(key, hash_of(key)); }
  std::uint32_t find(std::string_view key, std::uint64_t h) const {
    const Part& p = part(h);
    if (p.cells.empty()) return kNil;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & p.mask;; i = (i + 1) & p.mask) {
      ++probe_steps_;
      const Cell& c = p.cells[i];
      if (c.slot == kNil) return kNil;
      if (c.tag == tag && entries_[c.slot].key.view() == key) return c.slot;
    }
  }

  // Cache hints for a key about to be looked up: first its probe cell, then
  // (once the cell is likely cached) the record the tag points at. Pure
  // hints: no effect on the table, harmless when the key is absent.
  void prefetch_cell(std::uint64_t h) const {
    const Part& p = part(h);
    if (!p.cells.empty()) __builtin_prefetch(&p.cells[h & p.mask]);
  }
  void prefetch_record(std::uint64_t h) const {
    const Part& p = part(h);
    if (p.cells.empty()) return;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & p.mask; p.cells[i].slot != kNil; i = (i + 1) & p.mask) {
      if (p.cells[i].tag == tag) {
        const char* r = reinterpret_cast<const char*>(&entries_[p.cells[i].slot]);
        for (std::size_t off = 0; off < sizeof(Entry); off += 64) __builtin_prefetch(r + off);
        __builtin_prefetch(&links_[p.cells[i].slot]);
        return;
      }
    }
  }

  // Inserts a fresh record (the key must be absent) at the most recent end.
  std::uint32_t insert(std::string_view key) { return insert(key, hash_of(key)); }
  std::uint32_t insert(std::string_view key, std::uint64_t h) {
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
    index(s);
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
    Part& p = part(e.hash);
    const std::size_t mask = p.mask;
    std::size_t i = e.hash & mask;
    while (p.cells[i].slot != s) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask; p.cells[j].slot != kNil; j = (j + 1) & mask) {
      const std::size_t home = entries_[p.cells[j].slot].hash & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        p.cells[i] = p.cells[j];
        i = j;
      }
    }
    p.cells[i] = Cell{};
    --p.size;
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
  // the hash index, each part of which is kept at most half full and
  // doubles when it fills: 2 to 4 cells per record, 4 counted (below about
  // 256 records, more: each part in use has at least 16). Slack of the
  // slots is not counted: freed slots are reused, so they never outgrow the
  // most records ever tracked at once (plus one chunk).
  static constexpr std::size_t kRecordBytes();
  // The heap bytes of an id beyond its inline part (InlineKey::kInline).
  static std::size_t key_heap_bytes(std::string_view key) {
    return key.size() > InlineKey::kInline ? key.size() : 0;
  }
  // The cells of the hash index, all parts together (8 bytes each).
  std::size_t index_cells() const {
    std::size_t n = 0;
    for (const Part& p : parts_) n += p.cells.size();
    return n;
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

  // Open addressing, linear probing, each part at most half full. The tag
  // (high hash bits) avoids touching the record for most mismatches.
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
  // One part of the index: keys whose top hash bits name it. A part's
  // cells are indexed by the low hash bits, so the two never overlap; the
  // tag (h >> 32) shares the part's 6 bits, so it tells keys of one part
  // apart by its other 26.
  struct Part {
    std::vector<Cell> cells;
    std::size_t mask = 0, size = 0;
  };
  static constexpr unsigned kPartBits = 6;
  static constexpr std::size_t kParts = std::size_t{1} << kPartBits;

  Part& part(std::uint64_t h) { return parts_[h >> (64 - kPartBits)]; }
  const Part& part(std::uint64_t h) const { return parts_[h >> (64 - kPartBits)]; }

  // Adds a used slot to the index, doubling its part first when full.
  void index(std::uint32_t s) {
    Part& p = part(entries_[s].hash);
    if ((p.size + 1) * 2 > p.cells.size()) grow(p);
    place(s);
    ++p.size;
    ++size_;
  }

  void place(std::uint32_t s) {
    const std::uint64_t h = entries_[s].hash;
    Part& p = part(h);
    std::size_t i = h & p.mask;
    for (; p.cells[i].slot != kNil; i = (i + 1) & p.mask) ++probe_steps_;
    p.cells[i] = {static_cast<std::uint32_t>(h >> 32), s};
  }

  // Doubles one part: its records found through its own cells, so the
  // rest of the index and the slots are not walked.
  void grow(Part& p) {
    std::vector<Cell> old(p.cells.empty() ? 16 : p.cells.size() * 2, Cell{});
    old.swap(p.cells);
    p.mask = p.cells.size() - 1;
    for (const Cell& c : old) {
      if (c.slot != kNil) place(c.slot);
    }
  }

  // Rebuilds the whole index from the used slots (a restored table);
  // false when a key is in two slots.
  bool reindex() {
    for (Part& p : parts_) p = Part{};
    size_ = 0;
    for (std::uint32_t s = 0; s < entries_.size(); ++s) {
      if (!entries_[s].used) continue;
      if (find(entries_[s].key.view(), entries_[s].hash) != kNil) return false;
      index(s);
    }
    return true;
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

  ChunkedVector<Entry> entries_;
  ChunkedVector<Link> links_;  // parallel to entries_
  std::vector<std::uint32_t> free_;
  std::array<Part, kParts> parts_;
  std::size_t size_ = 0;
  std::uint32_t head_ = kNil, tail_ = kNil;
  HashKey hash_key_;
  mutable std::uint64_t probe_steps_ = 0;
};

template <typename V>
constexpr std::size_t LruTable<V>::kRecordBytes() {
  return sizeof(Entry) + sizeof(Link) + kCellsPerRecord * sizeof(Cell);
}

}  // namespace ccmon::core::engine_detail
