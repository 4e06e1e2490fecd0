#include "server/event_pool.hpp"

#include <utility>

namespace ccmon::server {

std::vector<core::IndexedEvent> EventPool::take() {
  const std::lock_guard lock(mutex_);
  if (kept_.empty()) return {};
  std::vector<core::IndexedEvent> out = std::move(kept_.back());
  kept_.pop_back();
  slots_ -= out.capacity();
  return out;
}

void EventPool::give(std::vector<core::IndexedEvent>&& events) {
  // By capacity: a vector reserved for a long body holds that much memory
  // however few of its events were valid.
  const std::size_t n = events.capacity();
  if (events.empty() || n > kMaxEvents) return;
  const std::lock_guard lock(mutex_);
  if (slots_ + n > kMaxEvents) return;
  slots_ += n;
  kept_.push_back(std::move(events));
}

std::size_t EventPool::slots_kept() const {
  const std::lock_guard lock(mutex_);
  return slots_;
}

}  // namespace ccmon::server
