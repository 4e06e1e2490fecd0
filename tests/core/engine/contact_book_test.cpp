// The contact book: live counts follow the phase, the oldest waiting contact
// is right in any time order at O(log n) per change, eviction leaves the
// live counts, and the invariant check catches a record changed behind the
// book's back.
#include "core/engine/contact_book.hpp"

#include <catch2/catch.hpp>
#include <string>

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

TEST_CASE("contact book: the oldest waiting holds in any queueing order",
          "[engine][contact_book]") {
  ThrowingAssertions assertions;
  ContactBook b;
  const std::uint32_t a = queue_at(b, "a", seconds(30), 0);
  const std::uint32_t x = queue_at(b, "b", seconds(10), 0);  // older than every other
  const std::uint32_t c = queue_at(b, "c", seconds(20), 0);
  queue_at(b, "d", seconds(40), 0);
  CHECK(b.oldest_waiting(0) == seconds(10));
  b.move(a, Phase::kActive, 0);  // not the oldest: unchanged
  CHECK(b.oldest_waiting(0) == seconds(10));
  b.move(x, Phase::kDone, 0);
  CHECK(b.oldest_waiting(0) == seconds(20));
  b.move(c, Phase::kActive, 0);  // a (30) left already: d is the oldest
  CHECK(b.oldest_waiting(0) == seconds(40));
  CHECK(b.live(0).waiting == 1);
  // Waiting again after a transfer, older than d: the oldest once more.
  b[c].queued_at = seconds(35);
  b.move(c, Phase::kWaiting, 0);
  CHECK(b.oldest_waiting(0) == seconds(35));
  b.check_invariants();
}

TEST_CASE("contact book: contacts that come and go leave a bounded queue",
          "[engine][contact_book]") {
  ThrowingAssertions assertions;
  ContactBook b;
  queue_at(b, "old", seconds(0), 0);  // waits throughout, at the top
  for (int i = 0; i < 10000; ++i) {
    const std::uint32_t c = queue_at(b, "c", seconds(1 + i), 0);
    b.move(c, Phase::kActive, 0);  // leaves below the top: a stale entry
    b.move(c, Phase::kDone, 0);
  }
  CHECK(b.live(0).waiting == 1);
  CHECK(b.live(0).entries() <= 2 * 1 + 16 + 1);  // compacted
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
  CHECK(b.live(0).waiting == 1);                         // z only
  CHECK(b.insert_if_room("w", b.hash_of("w")) == kNil);  // full: never evicts
  b.evict_idle(seconds(5));                              // x (last event 1 s) and z (3 s) are idle
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

TEST_CASE("contact book: queueings arriving in reverse time order cost O(log n) each",
          "[engine][contact_book][complexity]") {
  ThrowingAssertions assertions;
  ContactBook b;
  // 20,000 contacts queued newest first: each is older than every contact
  // already waiting. A sorted list walked from the tail takes n^2 / 2 = 2e8
  // steps; a heap takes at most about log2(n) = 15 comparisons per push.
  constexpr int kN = 20000;
  for (int i = 0; i < kN; ++i) {
    queue_at(b, std::string("c").append(std::to_string(i)).c_str(), seconds(kN - i), 0);
  }
  CHECK(b.oldest_waiting(0) == seconds(1));
  CHECK(b.live(0).waiting == kN);
  CHECK(b.queue_steps() < std::uint64_t{kN} * 20);
  // Answering them oldest first (the newest-queued contact first) keeps the
  // oldest exact and costs O(log n) each too.
  const std::uint64_t before = b.queue_steps();
  for (int i = kN - 1; i >= kN / 2; --i) {
    b.move(b.find(std::string("c").append(std::to_string(i))), Phase::kActive, 0);
  }
  CHECK(b.oldest_waiting(0) == seconds(kN / 2 + 1));
  CHECK(b.live(0).waiting == kN / 2);
  CHECK(b.queue_steps() - before < std::uint64_t{kN} / 2 * 2 * 20);
  b.check_invariants();
}

TEST_CASE("contact book: queueings in time order, answered oldest first, cost O(1) each",
          "[engine][contact_book][complexity]") {
  ThrowingAssertions assertions;
  ContactBook b;
  // The usual traffic: contacts queue in time order and leave roughly
  // first in, first out. Appending to the sorted list and dropping its
  // front is one step each; a heap would take about log2(n) = 14 per pop.
  constexpr int kN = 20000;
  for (int i = 0; i < kN; ++i) {
    queue_at(b, std::string("c").append(std::to_string(i)).c_str(), seconds(1 + i), 0);
  }
  CHECK(b.queue_steps() <= std::uint64_t{kN});
  const std::uint64_t before = b.queue_steps();
  for (int i = 0; i < kN / 2; ++i) {
    b.move(b.find(std::string("c").append(std::to_string(i))), Phase::kActive, 0);
  }
  CHECK(b.oldest_waiting(0) == seconds(kN / 2 + 1));
  CHECK(b.live(0).waiting == kN / 2);
  CHECK(b.queue_steps() - before <= std::uint64_t{kN} / 2);
  b.check_invariants();
}
