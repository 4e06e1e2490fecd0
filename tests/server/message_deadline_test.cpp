// MessageDeadline: one WebSocket message's deadline from its first bytes,
// never extended by later ones (server.limits.message_timeout).
#include "server/message_deadline.hpp"

#include <catch2/catch.hpp>

namespace ccmon::server {
namespace {

using Clock = MessageDeadline::Clock;
using std::chrono::milliseconds;

const Clock::time_point t0{};  // any origin: only differences matter

TEST_CASE("a message's deadline runs from its first bytes", "[server][message_deadline]") {
  MessageDeadline d;
  CHECK_FALSE(d.in_message());
  CHECK_FALSE(d.expired(t0 + milliseconds(100'000)));  // idle: silence is not its business

  // First bytes at 0.5 s, limit 1 s: expires at 1.5 s.
  auto expiry = d.bytes_read(t0 + milliseconds(500), milliseconds(1000));
  REQUIRE(expiry);
  CHECK(*expiry == t0 + milliseconds(1500));
  CHECK(d.in_message());
  CHECK_FALSE(d.expired(t0 + milliseconds(1499)));
  CHECK(d.expired(t0 + milliseconds(1500)));
}

TEST_CASE("bytes arriving never extend the deadline", "[server][message_deadline]") {
  MessageDeadline d;
  REQUIRE(d.bytes_read(t0, milliseconds(1000)));
  // A byte every 0.2 s: none re-arms, and a longer limit read meanwhile (a
  // reload) does not stretch the message already under way.
  for (int i = 1; i <= 4; ++i) {
    CHECK_FALSE(d.bytes_read(t0 + milliseconds(200 * i), milliseconds(1000)));
  }
  CHECK_FALSE(d.bytes_read(t0 + milliseconds(900), milliseconds(60'000)));
  CHECK(d.expired(t0 + milliseconds(1000)));
}

TEST_CASE("each message starts its own deadline", "[server][message_deadline]") {
  MessageDeadline d;
  REQUIRE(d.bytes_read(t0, milliseconds(1000)));
  d.message_done();  // whole at 0.8 s
  CHECK_FALSE(d.in_message());
  // A timer that fired just after the message was done finds nothing.
  CHECK_FALSE(d.expired(t0 + milliseconds(1000)));

  // The next message begins after 5 s of silence and has its full second.
  auto expiry = d.bytes_read(t0 + milliseconds(5000), milliseconds(1000));
  REQUIRE(expiry);
  CHECK(*expiry == t0 + milliseconds(6000));
  CHECK_FALSE(d.expired(t0 + milliseconds(5999)));
  CHECK(d.expired(t0 + milliseconds(6000)));
}

}  // namespace
}  // namespace ccmon::server
