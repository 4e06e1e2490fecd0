#include "server/admission.hpp"

#include <vector>

namespace ccmon::server {

bool Admission::try_admit(std::size_t n) {
  std::lock_guard lock(mutex_);
  // Waiters queued first keep their turn: HTTP must not starve WebSocket.
  if (!waiters_.empty() || !fits(n)) return false;
  in_flight_ += n;
  changed();
  return true;
}

bool Admission::wait(std::size_t n, std::function<void()> ready) {
  {
    std::lock_guard lock(mutex_);
    if (!waiters_.empty() || !fits(n)) {
      waiters_.push_back({n, std::move(ready)});
      return true;
    }
    in_flight_ += n;
    changed();
  }
  ready();
  return false;
}

void Admission::release(std::size_t n) {
  std::vector<std::function<void()>> woken;
  {
    std::lock_guard lock(mutex_);
    in_flight_ -= n;
    while (!waiters_.empty() && fits(waiters_.front().n)) {
      in_flight_ += waiters_.front().n;
      woken.push_back(std::move(waiters_.front().ready));
      waiters_.pop_front();
    }
    changed();
  }
  for (auto& f : woken) f();
}

void Admission::set_limit(std::size_t limit) {
  std::lock_guard lock(mutex_);
  limit_ = limit;
}

std::size_t Admission::limit() const {
  std::lock_guard lock(mutex_);
  return limit_;
}

std::size_t Admission::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

}  // namespace ccmon::server
