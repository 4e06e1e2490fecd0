// The deadline of one WebSocket message (server.limits.message_timeout,
// docs/security.md "Connections"): it starts when the message's first bytes
// are read and later bytes of the same message never move it, so a client
// trickling a message cannot hold its stream longer than the limit. A
// message read whole ends it; the next one starts its own at its first
// bytes. Between messages there is none (silence is idle_timeout's).
// Pure: the caller passes the time in (a steady clock); MessageReader
// (server/message_reader.hpp) arms a timer with it. Not thread-safe: one
// per stream, used from its strand.
#pragma once

#include <chrono>
#include <optional>

namespace ccmon::server {

class MessageDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Bytes of the message being read arrived at `now`. Returns the expiry
  // (now + limit) when they are its first, for the caller to arm a timer
  // with; nullopt when the message was already under way (its expiry
  // stands, whatever `limit` is now).
  std::optional<Clock::time_point> bytes_read(Clock::time_point now, Clock::duration limit) {
    if (expiry_) return std::nullopt;
    expiry_ = now + limit;
    return expiry_;
  }

  // The message was read whole: no deadline until the next one's first bytes.
  void message_done() { expiry_.reset(); }

  // A message is under way (its first bytes read, not yet whole).
  bool in_message() const { return expiry_.has_value(); }

  // A message is under way and its deadline has passed at `now`: a timer
  // that fires after message_done() (a race on the strand) finds false.
  bool expired(Clock::time_point now) const { return expiry_ && now >= *expiry_; }

 private:
  std::optional<Clock::time_point> expiry_;
};

}  // namespace ccmon::server
