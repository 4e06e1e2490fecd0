#include "server/event_pool.hpp"

#include <algorithm>
#include <utility>

namespace ccmon::server {

std::vector<core::IndexedEvent> EventPool::take(std::size_t events) {
  const std::size_t max_capacity = std::max<std::size_t>(2 * events, 64);
  const std::lock_guard lock(mutex_);
  for (auto it = kept_.rbegin(); it != kept_.rend(); ++it) {  // the newest first
    if (it->capacity() > max_capacity) continue;
    std::vector<core::IndexedEvent> out = std::move(*it);
    kept_.erase(std::next(it).base());
    slots_ -= out.capacity();
    return out;
  }
  return {};
}

void EventPool::give(std::vector<core::IndexedEvent> events) {
  // By capacity: a vector reserved for a long body holds that much memory
  // however few of its events were valid.
  const std::size_t n = events.capacity();
  if (events.empty() || n > kMaxEvents) return;
  for (auto& e : events) e.event.release_strings_above(kMaxStringBytes);
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
