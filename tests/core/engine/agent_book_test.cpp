// The agent book: the cap evicts the least recently active agent and counts
// it, state changes return the interval they close, late changes re-split
// the interval they fall in, and a gap between contacts is taken once.
#include "core/engine/agent_book.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

TEST_CASE("agent book: past the cap the least recently active agent is evicted and counted",
          "[engine][agent_book]") {
  AgentBook b;
  b.set_cap(2);
  const Handle a1 = b.handle(b.touch_or_insert("a1"));
  b.touch_or_insert("a2");
  b.touch_or_insert("a1");  // a1 active again: a2 is now the least recent
  b.touch_or_insert("a3");
  CHECK(b.size() == 2);
  CHECK(b.evicted_total() == 1);
  CHECK(b.valid(a1));
  b.touch_or_insert("a2");  // back, evicting a1 (a3 was touched after it)
  CHECK_FALSE(b.valid(a1));
  CHECK(b.evicted_total() == 2);
  b.touch_or_insert("a2");  // known: no eviction
  CHECK(b.evicted_total() == 2);
}

TEST_CASE("agent book: a state change returns the interval it closes", "[engine][agent_book]") {
  AgentBook b;
  const std::uint32_t a = b.touch_or_insert("a");
  CHECK_FALSE(b.change_state(a, seconds(10), AgentState::kAvailable, 3).has_value());
  const auto left = b.change_state(a, seconds(25), AgentState::kBusy, kNoLabel);  // keeps team
  REQUIRE(left.has_value());
  CHECK(left->from == seconds(10));
  CHECK(left->to == seconds(25));
  CHECK(left->state == AgentState::kAvailable);
  CHECK(left->team == 3);
  CHECK(b[a].team == 3);
  for (int i = 0; i < 40; ++i) b.change_state(a, seconds(30 + i), AgentState::kBusy, kNoLabel);
  CHECK(b[a].history.size() == kAgentHistory);
  CHECK(b[a].history.back().at == seconds(69));
}

TEST_CASE("agent book: a late change re-splits the interval it falls in", "[engine][agent_book]") {
  AgentBook b;
  const std::uint32_t a = b.touch_or_insert("a");
  b.change_state(a, seconds(0), AgentState::kAvailable, 2);
  b.change_state(a, seconds(100), AgentState::kBusy, kNoLabel);
  b.change_state(a, seconds(200), AgentState::kAvailable, kNoLabel);
  CHECK_FALSE(b.late_position(a, seconds(-5)).has_value());  // before every remembered change
  const auto p = b.late_position(a, seconds(150));
  REQUIRE(p.has_value());
  CHECK(b.before(a, *p).state == AgentState::kBusy);  // busy ran 100..200
  const StateInterval i = b.insert_late(a, *p, seconds(150), AgentState::kWrapUp, 2);
  CHECK(i.from == seconds(150));
  CHECK(i.to == seconds(200));  // up to the next known change
  CHECK(i.state == AgentState::kWrapUp);
  REQUIRE(b[a].history.size() == 4);
  CHECK(b[a].history[2].at == seconds(150));
  CHECK(b[a].state == AgentState::kAvailable);  // the current state is unchanged
}

TEST_CASE("agent book: time between contacts is taken once per segment end",
          "[engine][agent_book]") {
  AgentBook b;
  const Handle a = b.handle(b.touch_or_insert("a"));
  CHECK_FALSE(b.take_gap(a, seconds(5)).has_value());  // no segment ended yet
  b.segment_ended(a, seconds(10));
  b.segment_ended(a, seconds(8));  // an earlier end does not move it back
  CHECK(b.take_gap(a, seconds(25)) == seconds(15));
  CHECK_FALSE(b.take_gap(a, seconds(26)).has_value());  // used
  CHECK_FALSE(b.take_gap(Handle{}, seconds(26)).has_value());
}
