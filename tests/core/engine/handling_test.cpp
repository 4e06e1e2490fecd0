// Efficiency KPIs: handle time and its parts, ACW end rules, transfers.
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

ApplyResult ap(Engine& e, EventType t, double s, const std::string& c) {
  return e.apply(Ev(t, at(s), c));
}

// Contacts handled in sales / voice's 5m window once the engine advanced to s.
std::optional<double> handled_at(Engine& e, double s) {
  e.advance(at(s));
  return val(*e.snapshot(at(s)), "sales", "voice", "5m", Kpi::kHandled);
}

}  // namespace

TEST_CASE("handle time with hold, wrapped ACW and ACW ended by the agent's next state",
          "[engine][handling]") {
  Engine e(small_config());
  // h1: answered 10, held 20..35, ended 70, wrapped 100:
  //     talk = (70 - 10) - 15 = 45, hold 15, ACW 30.
  queue_answer(e, "h1", "sales", "voice", 0, 10, "a1");
  REQUIRE(ap(e, EventType::kContactHeld, 20, "h1") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactResumed, 35, "h1") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactEnded, 70, "h1") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactWrapped, 100, "h1") == ApplyResult::kApplied);
  // h2: answered 5 by a2, ended 65 (talk 60); a2 goes wrap_up at 65 (ACW
  //     starts, does not end it) then available at 80: ACW = 80 - 65 = 15.
  queue_answer(e, "h2", "sales", "voice", 0, 5, "a2");
  REQUIRE(ap(e, EventType::kContactEnded, 65, "h2") == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kAgentState, at(65)).agent("a2").state(AgentState::kWrapUp)) ==
          ApplyResult::kApplied);
  auto mid = e.snapshot(at(100));
  CHECK(val(*mid, "sales", "voice", "5m", Kpi::kHandled) == 1);  // h1 only: h2 still in ACW
  CHECK(mid->series[0].live[static_cast<int>(LiveKpi::kContactsActive)] == 0);  // both ended
  REQUIRE(e.apply(Ev(EventType::kAgentState, at(80)).agent("a2").state(AgentState::kAvailable)) ==
          ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactConverted, 110, "h1") == ApplyResult::kApplied);

  auto s = e.snapshot(at(120));
  const auto v = [&](Kpi k) { return val(*s, "sales", "voice", "5m", k); };
  CHECK(v(Kpi::kHandled) == 2);
  CHECK(*v(Kpi::kAverageHandleTime) == Approx(82.5));        // (90 + 75) / 2
  CHECK(*v(Kpi::kAverageTalkTime) == Approx(52.5));          // (45 + 60) / 2
  CHECK(*v(Kpi::kAverageHoldTime) == Approx(7.5));           // (15 + 0) / 2
  CHECK(*v(Kpi::kAverageAfterContactWork) == Approx(22.5));  // (30 + 15) / 2
  CHECK(*v(Kpi::kTransferRatio) == Approx(0));               // 0 / 2
  CHECK(*v(Kpi::kConversionRatio) == Approx(0.5));           // 1 / 2
  CHECK(s->series[0].handled_total == 2);
  CHECK(s->series[0].live[static_cast<int>(LiveKpi::kContactsActive)] == 0);
}

TEST_CASE("ACW timeout closes handling in advance(), once", "[engine][handling]") {
  EngineConfig c = small_config();
  c.acw_timeout = seconds(60);
  Engine e(c);
  // answered 10, ended 40 (talk 30); due at 40 + 60 = 100.
  queue_answer(e, "h3", "sales", "voice", 0, 10, "a1");
  REQUIRE(ap(e, EventType::kContactEnded, 40, "h3") == ApplyResult::kApplied);
  e.advance(at(99));
  CHECK(val(*e.snapshot(at(99)), "sales", "voice", "5m", Kpi::kHandled) == 0);
  e.advance(at(100));
  auto s = e.snapshot(at(100));
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kHandled) == 1);
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageAfterContactWork) == Approx(60));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageHandleTime) == Approx(90));  // 30 + 60
  // A late wrap or the agent's next state must not count it again: the wrap
  // is held for the lateness (30 s), then out of sequence.
  CHECK(ap(e, EventType::kContactWrapped, 105, "h3") == ApplyResult::kHeld);
  e.advance(at(135));
  CHECK(e.stats().out_of_sequence_total == 1);
  REQUIRE(e.apply(Ev(EventType::kAgentState, at(110)).agent("a1").state(AgentState::kAvailable)) ==
          ApplyResult::kApplied);
  CHECK(val(*e.snapshot(at(120)), "sales", "voice", "5m", Kpi::kHandled) == 1);
}

TEST_CASE("ACW timeouts close in due order when ends arrive out of order", "[engine][handling]") {
  EngineConfig c = small_config();
  c.acw_timeout = seconds(60);
  Engine e(c);
  // Ends at 40, then 30 (another contact's, late), then 50: due at 100, 90
  // and 110. The late one is due before the others and must close first.
  queue_answer(e, "h4", "sales", "voice", 0, 10, "a1");
  queue_answer(e, "h5", "sales", "voice", 0, 10, "a2");
  queue_answer(e, "h6", "sales", "voice", 0, 10, "a3");
  REQUIRE(ap(e, EventType::kContactEnded, 40, "h4") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactEnded, 30, "h5") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactEnded, 50, "h6") == ApplyResult::kApplied);
  CHECK(handled_at(e, 89) == 0);
  CHECK(handled_at(e, 90) == 1);  // h5: talk 20 + ACW 60
  CHECK(*val(*e.snapshot(at(90)), "sales", "voice", "5m", Kpi::kAverageHandleTime) == Approx(80));
  CHECK(handled_at(e, 99) == 1);
  CHECK(handled_at(e, 100) == 2);  // h4: talk 30 + ACW 60
  CHECK(handled_at(e, 109) == 2);
  CHECK(handled_at(e, 110) == 3);  // h6: talk 40 + ACW 60
  CHECK(*val(*e.snapshot(at(110)), "sales", "voice", "5m", Kpi::kAverageHandleTime) ==
        Approx(90));  // (80 + 90 + 100) / 3
}

TEST_CASE("an ACW timeout due out of order and settled first closes nothing",
          "[engine][handling]") {
  EngineConfig c = small_config();
  c.acw_timeout = seconds(60);
  Engine e(c);
  // h7 ends at 40 (due 100); h8 ends late at 30 (due 90, before h7's) and
  // is wrapped at 35: handled then, talk 20 + ACW 5. Its timeout at 90 is
  // settled and must not count it again.
  queue_answer(e, "h7", "sales", "voice", 0, 10, "a1");
  queue_answer(e, "h8", "sales", "voice", 0, 10, "a2");
  REQUIRE(ap(e, EventType::kContactEnded, 40, "h7") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactEnded, 30, "h8") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactWrapped, 35, "h8") == ApplyResult::kApplied);
  CHECK(handled_at(e, 36) == 1);
  CHECK(handled_at(e, 90) == 1);
  CHECK(handled_at(e, 100) == 2);  // h7: talk 30 + ACW 60
  CHECK(*val(*e.snapshot(at(100)), "sales", "voice", "5m", Kpi::kAverageHandleTime) ==
        Approx(57.5));  // (25 + 90) / 2
}

TEST_CASE("agent state after the ACW timeout caps ACW at the timeout", "[engine][handling]") {
  EngineConfig c = small_config();
  c.acw_timeout = seconds(60);
  Engine e(c);  // no advance() calls, as in a replay
  queue_answer(e, "h4", "sales", "voice", 0, 10, "a1");
  REQUIRE(ap(e, EventType::kContactEnded, 40, "h4") == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kAgentState, at(200)).agent("a1").state(AgentState::kAway)) ==
          ApplyResult::kApplied);
  // ACW = min(200 - 40, 60) = 60, counted at 40 + 60 = 100.
  auto s = e.snapshot(at(200));
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kHandled) == 1);
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageAfterContactWork) == Approx(60));
}

TEST_CASE("transfer to a queue ends a segment and re-queue is offered again",
          "[engine][handling][transfer]") {
  Engine e(small_config());
  // sales: queued 0, answered 10 by a1, held 20, transferred 50 (hold open:
  // hold = 50 - 20 = 30, talk = 40 - 30 = 10).
  queue_answer(e, "t1", "sales", "voice", 0, 10, "a1");
  REQUIRE(ap(e, EventType::kContactHeld, 20, "t1") == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactTransferred, at(50), "t1").to_queue("billing")) ==
          ApplyResult::kApplied);
  auto mid = e.snapshot(at(52));
  CHECK(find_series(*mid, "sales", "voice")->live[static_cast<int>(LiveKpi::kContactsActive)] == 0);
  // billing: queued 55 (channel remembered: voice), answered 65 by a2 (wait
  // 10), ended 125 (talk 60), wrapped 135 (ACW 10).
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(55), "t1").queue("billing")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactAnswered, at(65), "t1").agent("a2")) ==
          ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactEnded, 125, "t1") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactWrapped, 135, "t1") == ApplyResult::kApplied);

  auto s = e.snapshot(at(140));
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kOffered) == 1);
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kHandled) == 1);
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kTransferRatio) == Approx(1));  // 1 / 1
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageTalkTime) == Approx(10));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageHoldTime) == Approx(30));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageAfterContactWork) == Approx(0));
  CHECK(val(*s, "billing", "voice", "5m", Kpi::kOffered) == 1);
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == Approx(10));
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kAverageHandleTime) == Approx(70));  // 60 + 10
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kTransferRatio) == Approx(0));
}

TEST_CASE("transfer straight to an agent starts the next segment at once",
          "[engine][handling][transfer]") {
  Engine e(small_config());
  // answered 10 by a1, transferred to a2 at 30 (segment 1: talk 20), ended
  // 50 (segment 2: talk 20), wrapped 60 (ACW 10).
  queue_answer(e, "d1", "sales", "voice", 0, 10, "a1");
  REQUIRE(e.apply(Ev(EventType::kContactTransferred, at(30), "d1").to_agent("a2")) ==
          ApplyResult::kApplied);
  CHECK(e.snapshot(at(31))->series[0].live[static_cast<int>(LiveKpi::kContactsActive)] == 1);
  REQUIRE(ap(e, EventType::kContactEnded, 50, "d1") == ApplyResult::kApplied);
  REQUIRE(ap(e, EventType::kContactWrapped, 60, "d1") == ApplyResult::kApplied);
  auto s = e.snapshot(at(60));
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kHandled) == 2);
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kTransferRatio) == Approx(0.5));     // 1 / 2
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kAverageHandleTime) == Approx(25));  // (20 + 30) / 2
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kAnswered) == 1);  // one answer, one offer
}
