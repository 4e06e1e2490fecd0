// The contact book: live counts follow the phase, waiting lists stay sorted,
// eviction leaves the live counts, and the invariant check catches a record
// changed behind the book's back.
#include "core/engine/contact_book.hpp"

#include <catch2/catch.hpp>

#include "assertion_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;
using ccmon::core::test::AssertionFailure;
using ccmon::core::test::kAssertionsOn;
using ccmon::core::test::ThrowingAssertions;

namespace {

std::uint32_t queue_at(ContactBook& b, const char* id, Timestamp t, std::uint32_t series) {
  const std::uint32_t c = b.touch_or_insert(id);
  b[c].queued_at = t;
  b[c].last_event = t;
  b.move(c, Phase::kWaiting, series);
  return c;
}

}  // namespace

TEST_CASE("contact book: waiting and active counts follow move()", "[engine][contact_book]") {
  ThrowingAssertions assertions;
  ContactBook b;
  const std::uint32_t x = queue_at(b, "x", seconds(10), 0);
  const std::uint32_t y = queue_at(b, "y", seconds(20), 0);
  const std::uint32_t z = queue_at(b, "z", seconds(5), 1);
  CHECK(b.live(0).waiting == 2);
  CHECK(b.live(1).waiting == 1);
  CHECK(b.live(7).waiting == 0);  // a series no contact reached
  CHECK(b.oldest_waiting(0) == seconds(10));

  // Answered in another series than it waited in (an explicit queue on the
  // outcome): leaves series 0's list, becomes active in series 1.
  b.move(x, Phase::kActive, 1);
  CHECK(b.live(0).waiting == 1);
  CHECK(b.oldest_waiting(0) == seconds(20));
  CHECK(b.live(1).active == 1);
  b.move(x, Phase::kAcw, 1);  // ended
  CHECK(b.live(1).active == 0);
  b.move(y, Phase::kDone, 0);  // abandoned
  b.move(z, Phase::kActive, 1);
  CHECK(b.live(0).waiting == 0);
  CHECK(b.oldest_waiting(0) == kNever);
  CHECK(b.live(1).waiting == 0);
  CHECK(b.live(1).active == 1);
  b.check_invariants();
}

TEST_CASE("contact book: a late queueing is inserted in queued_at order",
          "[engine][contact_book]") {
  ThrowingAssertions assertions;
  ContactBook b;
  queue_at(b, "a", seconds(30), 0);
  queue_at(b, "b", seconds(10), 0);  // older than the tail
  queue_at(b, "c", seconds(20), 0);
  queue_at(b, "d", seconds(40), 0);
  CHECK(b.oldest_waiting(0) == seconds(10));
  // Walk the list: 10, 20, 30, 40.
  std::vector<Timestamp> order;
  for (std::uint32_t c = b.live(0).wait_head; c != kNil; c = b[c].wait_next) {
    order.push_back(b[c].queued_at);
  }
  CHECK(order == std::vector<Timestamp>{seconds(10), seconds(20), seconds(30), seconds(40)});
  b.check_invariants();
}

TEST_CASE("contact book: eviction at the cap and when idle leaves the live counts",
          "[engine][contact_book]") {
  ThrowingAssertions assertions;
  ContactBook b;
  b.set_cap(2);
  const std::uint32_t x = queue_at(b, "x", seconds(1), 0);
  queue_at(b, "y", seconds(2), 0);
  b.move(x, Phase::kActive, 0);
  CHECK(b.live(0).active == 1);
  CHECK(b.live(0).waiting == 1);
  b.touch(x);                       // y is now the least recently touched
  queue_at(b, "z", seconds(3), 0);  // evicts y (waiting)
  CHECK(b.find("y") == kNil);
  CHECK(b.evicted_total() == 1);
  CHECK(b.live(0).waiting == 1);                                    // z only
  CHECK(b.insert_if_room("w", ContactBook::hash_of("w")) == kNil);  // full: never evicts
  b.evict_idle(seconds(5));  // x (last event 1 s) and z (3 s) are idle
  CHECK(b.size() == 0);
  CHECK(b.evicted_total() == 3);
  CHECK(b.live(0).waiting == 0);
  CHECK(b.live(0).active == 0);
  b.check_invariants();
}

TEST_CASE("contact book: the invariant check catches a phase set behind the book's back",
          "[engine][contact_book][assertions]") {
  if (!kAssertionsOn) {
    WARN("CCMON_ASSERTIONS is off in this build: invariant checks are compiled out");
    return;
  }
  ThrowingAssertions assertions;
  ContactBook b;
  const std::uint32_t x = queue_at(b, "x", seconds(1), 0);
  b[x].phase = Phase::kActive;  // not through move(): counts and lists disagree
  CHECK_THROWS_AS(b.check_invariants(), AssertionFailure);
}
