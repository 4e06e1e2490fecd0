#include "server/connection_limits.hpp"

#include <utility>

namespace ccmon::server {

ConnectionLimits::Decision ConnectionLimits::admit(const std::string& address,
                                                   const ConnectionCaps& caps) {
  std::lock_guard lock(mutex_);
  Decision d;
  auto count = per_address_.find(address);
  if (count != per_address_.end() && count->second >= caps.per_address) {
    d.admit = Admit::kAddressFull;
    return d;
  }
  // Exactly at the cap: one goes, one comes. Above it (a reload lowered the
  // cap) nothing is reclaimed; connections close on their own until below.
  if (ordinary_ == caps.max_connections) {
    Queue& victims = !idle_.empty() ? idle_ : reading_;
    if (!victims.empty()) {
      auto victim = slots_.find(victims.begin()->second);
      d.reclaimed = std::move(victim->second.reclaim);
      d.reclaimed_phase = victim->second.phase;
      forget(victim);
    }
  }
  if (ordinary_ < caps.max_connections) {
    d.admit = Admit::kOrdinary;
    ++ordinary_;
  } else if (reserved_ < caps.reserve) {
    d.admit = Admit::kReserved;
    ++reserved_;
  } else {
    return d;  // kFull
  }
  d.slot = next_slot_++;
  slots_.emplace(d.slot, Slot{address, d.admit == Admit::kReserved, Phase::kBusy, 0, {}});
  ++per_address_[address];
  return d;
}

void ConnectionLimits::release(std::uint64_t slot) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(slot);
  if (it != slots_.end()) forget(it);
}

ConnectionLimits::Queue* ConnectionLimits::queue(Phase phase) {
  switch (phase) {
    case Phase::kIdle:
      return &idle_;
    case Phase::kReading:
      return &reading_;
    case Phase::kBusy:
      break;
  }
  return nullptr;
}

void ConnectionLimits::leave_phase(Slot& s) {
  if (Queue* q = queue(s.phase)) q->erase(s.ticket);
  s.phase = Phase::kBusy;
  s.reclaim = nullptr;
}

void ConnectionLimits::forget(std::unordered_map<std::uint64_t, Slot>::iterator it) {
  Slot& s = it->second;
  leave_phase(s);
  --(s.reserved ? reserved_ : ordinary_);
  auto count = per_address_.find(s.address);
  if (--count->second == 0) per_address_.erase(count);
  slots_.erase(it);
}

void ConnectionLimits::enter(std::uint64_t slot, Phase phase, std::function<void()> reclaim) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(slot);
  if (it == slots_.end()) return;
  Slot& s = it->second;
  leave_phase(s);
  Queue* q = queue(phase);
  if (q == nullptr || s.reserved) return;
  s.phase = phase;
  s.ticket = next_ticket_++;
  s.reclaim = std::move(reclaim);
  q->emplace(s.ticket, slot);
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return ordinary_ + reserved_;
}

std::size_t ConnectionLimits::reserved() const {
  std::lock_guard lock(mutex_);
  return reserved_;
}

std::size_t ConnectionLimits::count(Phase phase) const {
  std::lock_guard lock(mutex_);
  return phase == Phase::kIdle ? idle_.size() : phase == Phase::kReading ? reading_.size() : 0;
}

std::size_t ConnectionLimits::addresses() const {
  std::lock_guard lock(mutex_);
  return per_address_.size();
}

}  // namespace ccmon::server
