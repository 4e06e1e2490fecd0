// Backoff between connection attempts, and the deadline after which a daemon
// that stays away is a fatal error. Shared by the WebSocket and HTTP senders.
#pragma once

#include <algorithm>
#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include "tools/sim/sender.hpp"

namespace ccmon::sim {

class Backoff {
 public:
  explicit Backoff(RetryPolicy policy) : policy_(policy) {}

  // A failure: waits before the next attempt (100 ms doubling up to 5 s), or
  // throws once failures have lasted longer than the policy allows.
  void failed(const std::string& what) {
    const auto now = std::chrono::steady_clock::now();
    if (!failing_) {
      failing_ = true;
      since_ = now;
      std::cerr << "ccmon-sim: " << what << "; retrying\n";
    }
    if (now - since_ > std::chrono::microseconds(policy_.give_up)) {
      throw std::runtime_error(what + " (giving up after retrying for --give-up)");
    }
    std::this_thread::sleep_for(delay_);
    delay_ = std::min<std::chrono::milliseconds>(delay_ * 2, std::chrono::seconds(5));
  }

  // The daemon asked us to wait (503 Retry-After): no doubling, same deadline.
  void wait(std::chrono::milliseconds delay, const std::string& what) {
    const auto now = std::chrono::steady_clock::now();
    if (!failing_) {
      failing_ = true;
      since_ = now;
      std::cerr << "ccmon-sim: " << what << "; retrying\n";
    }
    if (now - since_ > std::chrono::microseconds(policy_.give_up)) {
      throw std::runtime_error(what + " (giving up after retrying for --give-up)");
    }
    std::this_thread::sleep_for(delay);
  }

  void succeeded() {
    if (failing_) std::cerr << "ccmon-sim: delivering again\n";
    failing_ = false;
    delay_ = std::chrono::milliseconds(100);  // the next outage starts short, whichever kind it is
  }

 private:
  RetryPolicy policy_;
  bool failing_ = false;
  std::chrono::steady_clock::time_point since_;
  std::chrono::milliseconds delay_{100};
};

}  // namespace ccmon::sim
