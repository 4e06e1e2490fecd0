// Bounds the events decoded but not yet applied to the engine. HTTP asks
// try_admit() and answers 503 when full; WebSocket sessions wait() and stop
// reading meanwhile (backpressure). Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace ccmon::server {

class Admission {
 public:
  // `observe`, if given, is told the new in-flight count after every change
  // (under the lock, so calls arrive in order; keep it cheap: a gauge set).
  explicit Admission(std::size_t limit, std::function<void(std::size_t)> observe = {})
      : limit_(limit), observe_(std::move(observe)) {}

  // Reserves room for n events; false when full. A batch larger than the
  // whole limit is admitted when nothing else is in flight, so it can pass.
  bool try_admit(std::size_t n);

  // Calls `ready` once n events are reserved: at once (inline) when there is
  // room, else later from the thread that releases it. Returns whether it
  // had to wait.
  bool wait(std::size_t n, std::function<void()> ready);

  // Returns room for n events and wakes waiters that now fit, in order.
  void release(std::size_t n);

  void set_limit(std::size_t limit);
  std::size_t limit() const;
  std::size_t in_flight() const;

 private:
  bool fits(std::size_t n) const { return in_flight_ == 0 || in_flight_ + n <= limit_; }
  void changed() const {
    if (observe_) observe_(in_flight_);
  }

  struct Waiter {
    std::size_t n;
    std::function<void()> ready;
  };
  mutable std::mutex mutex_;
  std::size_t limit_;
  std::function<void(std::size_t)> observe_;
  std::size_t in_flight_ = 0;
  std::deque<Waiter> waiters_;
};

}  // namespace ccmon::server
