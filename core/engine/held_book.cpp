#include "core/engine/held_book.hpp"

#include <algorithm>

namespace ccmon::core::engine_detail {

void HeldBook::hold(HeldKind kind, const Event& e, Timestamp due) {
  const DueKey k{due, next_seq_++};
  by_due_.emplace(k, Entry{kind, HeldEvent{e, due, k.second}});
  by_key_[key(kind, id_of(kind, e))].push_back(k);
}

void HeldBook::put_back(HeldKind kind, HeldEvent h) {
  const DueKey k{h.due, h.seq};
  std::string id = key(kind, id_of(kind, h.event));
  by_due_.emplace(k, Entry{kind, std::move(h)});
  by_key_[std::move(id)].push_back(k);
}

std::vector<HeldEvent> HeldBook::take(HeldKind kind, std::string_view id) {
  std::vector<HeldEvent> out;
  const auto it = by_key_.find(key(kind, id));
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

void HeldBook::unindex(HeldKind kind, const HeldEvent& h) {
  const auto it = by_key_.find(key(kind, id_of(kind, h.event)));
  if (it == by_key_.end()) return;
  std::erase(it->second, DueKey{h.due, h.seq});
  if (it->second.empty()) by_key_.erase(it);
}

std::pair<HeldKind, HeldEvent> HeldBook::pop_oldest() {
  auto node = by_due_.extract(by_due_.begin());
  Entry& e = node.mapped();
  unindex(e.kind, e.held);
  return {e.kind, std::move(e.held)};
}

}  // namespace ccmon::core::engine_detail
