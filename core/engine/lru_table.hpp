// Records keyed by an external id (contact, case, agent), stored in a slot
// vector so other records can point at them with a small handle, and chained
// in least-recently-touched order for idle eviction and hard caps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/labels.hpp"

namespace ccmon::core::engine_detail {

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
  std::uint32_t find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? kNil : it->second;
  }

  // Inserts a fresh record at the most recent end.
  std::uint32_t insert(std::string_view key) {
    std::uint32_t s;
    if (free_.empty()) {
      s = static_cast<std::uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      s = free_.back();
      free_.pop_back();
    }
    Entry& e = entries_[s];
    e.value = V{};
    e.used = true;
    e.key = &index_.emplace(std::string(key), s).first->first;
    link_back(s);
    return s;
  }

  void touch(std::uint32_t s) {
    unlink(s);
    link_back(s);
  }

  void erase(std::uint32_t s) {
    Entry& e = entries_[s];
    unlink(s);
    index_.erase(*e.key);
    e.key = nullptr;
    e.used = false;
    ++e.gen;
    free_.push_back(s);
  }

  V& operator[](std::uint32_t s) { return entries_[s].value; }
  const V& operator[](std::uint32_t s) const { return entries_[s].value; }
  const std::string& key(std::uint32_t s) const { return *entries_[s].key; }
  Handle handle(std::uint32_t s) const { return {s, entries_[s].gen}; }
  bool valid(Handle h) const {
    return h.slot < entries_.size() && entries_[h.slot].used && entries_[h.slot].gen == h.gen;
  }
  std::uint32_t oldest() const { return head_; }
  std::size_t size() const { return index_.size(); }

  template <typename F>
  void for_each(F&& f) {
    for (std::uint32_t s = head_; s != kNil; s = entries_[s].next) f(s, entries_[s].value);
  }

 private:
  struct Entry {
    V value{};
    const std::string* key = nullptr;  // the index's own copy (node-stable)
    std::uint32_t prev = kNil, next = kNil, gen = 0;
    bool used = false;
  };

  void unlink(std::uint32_t s) {
    Entry& e = entries_[s];
    (e.prev == kNil ? head_ : entries_[e.prev].next) = e.next;
    (e.next == kNil ? tail_ : entries_[e.next].prev) = e.prev;
    e.prev = e.next = kNil;
  }
  void link_back(std::uint32_t s) {
    Entry& e = entries_[s];
    e.prev = tail_;
    e.next = kNil;
    (tail_ == kNil ? head_ : entries_[tail_].next) = s;
    tail_ = s;
  }

  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_;
  StringMap<std::uint32_t> index_;
  std::uint32_t head_ = kNil, tail_ = kNil;
};

}  // namespace ccmon::core::engine_detail
