// Which connections open: the global and per-address caps, the probe
// reserve, and which connection is reclaimed at the cap.
#include "server/connection_limits.hpp"

#include <boost/asio/ip/address.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "server/listener.hpp"

namespace ccmon::server {
namespace {

using Decision = ConnectionLimits::Decision;

TEST_CASE("one address is refused at its cap, others still get in", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{10, 3, 0};
  for (int i = 0; i < 3; ++i) CHECK(l.admit("10.0.0.1", caps).admit == Admit::kOrdinary);
  CHECK(l.admit("10.0.0.1", caps).admit == Admit::kAddressFull);  // 4th > 3
  CHECK(l.admit("10.0.0.2", caps).admit == Admit::kOrdinary);
  CHECK(l.open() == 4);  // 3 + 1; the refusal holds nothing
  CHECK(l.addresses() == 2);
}

TEST_CASE("release frees the slot and the address's count", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{2, 1, 0};
  const Decision a = l.admit("a", caps);
  REQUIRE(a.admit == Admit::kOrdinary);
  CHECK(l.admit("a", caps).admit == Admit::kAddressFull);
  l.release(a.slot);
  CHECK(l.open() == 0);
  CHECK(l.addresses() == 0);  // no per-address entry left behind
  CHECK(l.admit("a", caps).admit == Admit::kOrdinary);
  l.release(12345);  // unknown: ignored
  CHECK(l.open() == 1);
}

TEST_CASE("at the cap the oldest idle connection is reclaimed", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{3, 10, 0};
  std::vector<std::string> closed;
  const Decision a = l.admit("a", caps), b = l.admit("b", caps), c = l.admit("c", caps);
  // Idle in the order b, a, c; then b serves a request and is idle again
  // last: the oldest idle is now a.
  l.enter(b.slot, Phase::kIdle, [&] { closed.push_back("b"); });
  l.enter(a.slot, Phase::kIdle, [&] { closed.push_back("a"); });
  l.enter(c.slot, Phase::kIdle, [&] { closed.push_back("c"); });
  l.enter(b.slot, Phase::kBusy);
  l.enter(b.slot, Phase::kIdle, [&] { closed.push_back("b"); });

  Decision d = l.admit("d", caps);
  CHECK(d.admit == Admit::kOrdinary);
  REQUIRE(d.reclaimed);
  d.reclaimed();
  Decision e = l.admit("e", caps);
  REQUIRE(e.reclaimed);
  e.reclaimed();
  CHECK(closed == std::vector<std::string>{"a", "c"});
  CHECK(l.open() == 3);  // b, d, e: the reclaimed ones no longer count
  CHECK(l.count(Phase::kIdle) == 1);
  // A reclaimed slot's own release later changes nothing.
  l.release(a.slot);
  CHECK(l.open() == 3);
}

TEST_CASE("with none idle, the one reading headers longest is reclaimed", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{3, 10, 0};
  std::vector<std::string> closed;
  const Decision a = l.admit("a", caps), b = l.admit("b", caps), c = l.admit("c", caps);
  l.enter(a.slot, Phase::kReading, [&] { closed.push_back("a"); });  // slowloris since
  l.enter(b.slot, Phase::kReading, [&] { closed.push_back("b"); });
  l.enter(c.slot, Phase::kIdle, [&] { closed.push_back("c"); });
  // Idle c goes first although a has waited longer; then a, then b.
  for (const char* who : {"d", "e", "f"}) {
    Decision d = l.admit(who, caps);
    CHECK(d.admit == Admit::kOrdinary);
    REQUIRE(d.reclaimed);
    d.reclaimed();
  }
  CHECK(closed == std::vector<std::string>{"c", "a", "b"});
  CHECK(l.count(Phase::kReading) == 0);
}

TEST_CASE("reclaiming reports what the connection was doing", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{1, 10, 0};
  const Decision a = l.admit("a", caps);
  l.enter(a.slot, Phase::kReading, [] {});
  const Decision b = l.admit("b", caps);
  CHECK(b.reclaimed_phase == Phase::kReading);
  l.enter(b.slot, Phase::kIdle, [] {});
  CHECK(l.admit("c", caps).reclaimed_phase == Phase::kIdle);
}

TEST_CASE("a busy connection is never reclaimed", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{2, 10, 0};
  const Decision a = l.admit("a", caps), b = l.admit("b", caps);
  bool called = false;
  l.enter(a.slot, Phase::kIdle, [&] { called = true; });
  l.enter(a.slot, Phase::kBusy);  // its headers arrived: serving it
  const Decision c = l.admit("c", caps);
  CHECK(c.admit == Admit::kFull);
  CHECK_FALSE(c.reclaimed);
  CHECK_FALSE(called);
  CHECK(l.open() == 2);
  (void)b;
}

TEST_CASE("the reserve opens only when nothing can be reclaimed", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{1, 10, 2};
  const Decision a = l.admit("a", caps);
  l.enter(a.slot, Phase::kIdle, [] {});
  // Idle a is reclaimed before the reserve is touched.
  const Decision b = l.admit("b", caps);
  CHECK(b.admit == Admit::kOrdinary);
  CHECK(b.reclaimed);
  CHECK(l.reserved() == 0);
  // b busy: the next two go into the reserve, the third is refused.
  CHECK(l.admit("c", caps).admit == Admit::kReserved);
  const Decision d = l.admit("d", caps);
  CHECK(d.admit == Admit::kReserved);
  CHECK(l.admit("e", caps).admit == Admit::kFull);
  CHECK(l.open() == 3);  // 1 ordinary + 2 reserved
  // A reserved slot is never offered for reclaiming.
  l.enter(d.slot, Phase::kIdle, [] { FAIL("reclaimed a reserved slot"); });
  CHECK(l.count(Phase::kIdle) == 0);
  l.release(d.slot);
  CHECK(l.reserved() == 1);
  CHECK(l.admit("f", caps).admit == Admit::kReserved);
}

TEST_CASE("above a cap lowered by a reload nothing is reclaimed", "[server][connections]") {
  ConnectionLimits l;
  for (int i = 0; i < 3; ++i) {
    l.enter(l.admit("a", ConnectionCaps{3, 10, 0}).slot, Phase::kIdle, [] { FAIL("reclaimed"); });
  }
  // 3 open, cap now 2: the new one is refused and the idle ones stay.
  const Decision d = l.admit("b", ConnectionCaps{2, 10, 0});
  CHECK(d.admit == Admit::kFull);
  CHECK_FALSE(d.reclaimed);
  CHECK(l.count(Phase::kIdle) == 3);
}

TEST_CASE("the address cap counts reserved slots too", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{1, 2, 5};
  CHECK(l.admit("a", caps).admit == Admit::kOrdinary);
  CHECK(l.admit("a", caps).admit == Admit::kReserved);
  CHECK(l.admit("a", caps).admit == Admit::kAddressFull);  // 3rd from a > 2
}

TEST_CASE("concurrent admits and releases keep the counts exact", "[server][connections]") {
  ConnectionLimits l;
  const ConnectionCaps caps{1'000'000, 1'000'000, 0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&l, &caps, t] {
      const std::string address = "10.0.0." + std::to_string(t);
      for (int i = 0; i < 2000; ++i) {
        const Decision d = l.admit(address, caps);
        l.enter(d.slot, Phase::kIdle, [] {});
        if (i % 2 == 0) l.release(d.slot);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(l.open() == 4 * 1000);  // half of 4 x 2000 released
  CHECK(l.count(Phase::kIdle) == 4 * 1000);
  CHECK(l.addresses() == 4);
}

TEST_CASE("clients are keyed by IPv4 address or IPv6 /64", "[server][connections]") {
  using boost::asio::ip::make_address;
  CHECK(client_address_key(make_address("127.0.0.2")) == "127.0.0.2");
  CHECK(client_address_key(make_address("::ffff:192.0.2.7")) == "192.0.2.7");
  // Two addresses of one /64 (RFC 3849 documentation prefix) share a key.
  CHECK(client_address_key(make_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64");
  CHECK(client_address_key(make_address("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64");
  CHECK(client_address_key(make_address("2001:db8:1:3::1")) == "2001:db8:1:3::/64");
}

}  // namespace
}  // namespace ccmon::server
