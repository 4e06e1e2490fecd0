#include "core/engine/held_book.hpp"

#include <algorithm>

namespace ccmon::core::engine_detail {

void HeldBook::index(HeldKind kind, std::uint64_t hash, std::string_view id, DueKey k) {
  auto it = by_key_.find(IdView{hash, kind, id});
  if (it == by_key_.end()) {
    it = by_key_.emplace(IdKey{hash, kind, std::string(id)}, std::vector<DueKey>{}).first;
  }
  it->second.push_back(k);
}

void HeldBook::hold(HeldKind kind, const Event& e, std::uint64_t hash, Timestamp due) {
  const DueKey k{due, next_seq_++};
  by_due_.emplace(k, Entry{kind, hash, HeldEvent{e, due, k.second}});
  index(kind, hash, id_of(kind, e), k);
}

void HeldBook::put_back(HeldKind kind, std::uint64_t hash, HeldEvent h) {
  const DueKey k{h.due, h.seq};
  const auto it = by_due_.emplace(k, Entry{kind, hash, std::move(h)}).first;
  index(kind, hash, id_of(kind, it->second.held.event), k);
}

std::vector<HeldEvent> HeldBook::take(HeldKind kind, std::string_view id, std::uint64_t hash) {
  std::vector<HeldEvent> out;
  const auto it = by_key_.find(IdView{hash, kind, id});
  if (it == by_key_.end()) return out;
  for (const DueKey& k : it->second) {
    const auto e = by_due_.find(k);
    out.push_back(std::move(e->second.held));
    by_due_.erase(e);
  }
  by_key_.erase(it);
  std::sort(out.begin(), out.end(), [](const HeldEvent& a, const HeldEvent& b) {
    return a.event.time != b.event.time ? a.event.time < b.event.time : a.seq < b.seq;
  });
  return out;
}

void HeldBook::unindex(const Entry& e) {
  const auto it = by_key_.find(IdView{e.hash, e.kind, id_of(e.kind, e.held.event)});
  if (it == by_key_.end()) return;
  std::erase(it->second, DueKey{e.held.due, e.held.seq});
  if (it->second.empty()) by_key_.erase(it);
}

std::pair<HeldKind, HeldEvent> HeldBook::pop_oldest() {
  auto node = by_due_.extract(by_due_.begin());
  Entry& e = node.mapped();
  unindex(e);
  return {e.kind, std::move(e.held)};
}

}  // namespace ccmon::core::engine_detail
