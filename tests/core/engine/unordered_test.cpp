// Unordered delivery and corrections (docs/events.md "Unordered delivery",
// case.reopened, the contact.sentiment rule) and the service level's
// switches (docs/kpis.md "Service level"). Expected values are worked out by
// hand in the comments.
#include <catch2/catch.hpp>

#include "tests/core/engine/engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

std::uint64_t oos(const Engine& e) {
  return e.stats().out_of_sequence_total;
}
std::uint64_t held(const Engine& e) {
  return e.stats().held_events;
}

}  // namespace

TEST_CASE("a contact and a case of the same id wait apart") {
  // Both held under id "x1" (one id hash): the contact's queueing releases
  // the answer only, the case's opening the resolution only.
  Engine e(small_config());
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "x1").agent("a1")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(12)).case_id("x1").contacts(1)) ==
        ApplyResult::kHeld);
  CHECK(held(e) == 2);
  CHECK(e.apply(Ev(EventType::kContactQueued, at(4), "x1").queue("q1").channel("voice")) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 1);
  CHECK(e.apply(Ev(EventType::kCaseOpened, at(2)).case_id("x1").queue("q1").channel("voice")) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 0);
  CHECK(oos(e) == 0);
  const auto s = e.snapshot(at(20));
  // The answer after 10 - 4 = 6 s; the case resolved after 12 - 2 = 10 s.
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAnswered) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == Approx(6));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageResolution) == Approx(10));
}

TEST_CASE("an answer before its queueing is held and completes when the queueing arrives") {
  Engine e(small_config());  // lateness 30 s by default
  REQUIRE(e.config().lateness == seconds(30));
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "c1").agent("a1")) == ApplyResult::kHeld);
  CHECK(held(e) == 1);
  CHECK(oos(e) == 0);
  CHECK(e.apply(Ev(EventType::kContactQueued, at(4), "c1").queue("q1").channel("voice")) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 0);
  CHECK(oos(e) == 0);
  const auto s = e.snapshot(at(20));
  // Offered once, answered once, waited 10 - 4 = 6 s; answered, so active.
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kOffered) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAnswered) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == Approx(6));
  const SeriesSnapshot* x = find_series(*s, "q1", "voice");
  REQUIRE(x != nullptr);
  CHECK(x->live[static_cast<std::size_t>(LiveKpi::kContactsWaiting)] == 0);
  CHECK(x->live[static_cast<std::size_t>(LiveKpi::kContactsActive)] == 1);
  CHECK(x->answered_total == 1);
}

TEST_CASE("held events of one contact are applied in event-time order") {
  Engine e(small_config());
  // Delivered: queued 0, ended 50, wrapped 60, answered 10. Ended and
  // wrapped wait for the answer; then talk 50 - 10 = 40 s, ACW 10 s.
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), "c1").queue("q1").channel("voice")) ==
          ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kContactEnded, at(50), "c1")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kContactWrapped, at(60), "c1")) == ApplyResult::kHeld);
  CHECK(held(e) == 2);
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "c1").agent("a1")) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 0);
  CHECK(oos(e) == 0);
  const auto s = e.snapshot(at(70));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kHandled) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageTalkTime) == Approx(40));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageAfterContactWork) == Approx(10));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageHandleTime) == Approx(50));
}

TEST_CASE("what still does not fit once the lateness has passed is out of sequence") {
  Engine e(small_config());
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "c2").agent("a1")) == ApplyResult::kHeld);
  e.advance(at(39));  // due at 10 + 30 = 40
  CHECK(held(e) == 1);
  CHECK(oos(e) == 0);
  e.advance(at(40));
  CHECK(held(e) == 0);
  CHECK(oos(e) == 1);
  // The queueing arriving after that is offered but, as before the hold
  // existed, not left waiting: the contact moved on at 10.
  CHECK(e.apply(Ev(EventType::kContactQueued, at(4), "c2").queue("q1").channel("voice")) ==
        ApplyResult::kApplied);
  const auto s = e.snapshot(at(45));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kOffered) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAnswered) == 0);
  CHECK(find_series(*s, "q1", "voice")->live[static_cast<std::size_t>(LiveKpi::kContactsWaiting)] ==
        0);
}

TEST_CASE("a duplicate end waits out the lateness, then is out of sequence once") {
  Engine e(small_config());
  queue_answer(e, "c1", "q1", "voice", 0, 5);
  REQUIRE(e.apply(Ev(EventType::kContactEnded, at(20), "c1")) == ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kContactEnded, at(20), "c1")) == ApplyResult::kHeld);
  e.advance(at(50));  // 20 + 30
  CHECK(oos(e) == 1);
  CHECK(held(e) == 0);
}

TEST_CASE("lateness 0 holds nothing: out of sequence at once, as before") {
  EngineConfig c = small_config();
  c.lateness = 0;
  Engine e(c);
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "c1").agent("a1")) ==
        ApplyResult::kOutOfSequence);
  CHECK(oos(e) == 1);
  CHECK(held(e) == 0);
}

TEST_CASE("past max_held_events the event held longest is given up and counted") {
  EngineConfig c = small_config();
  c.max_held_events = 2;
  Engine e(c);
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(10), "x").agent("a1")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(5), "y").agent("a2")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kContactAnswered, at(20), "z").agent("a3")) == ApplyResult::kHeld);
  // Three held, cap 2: y (due 35, the smallest) is given up.
  CHECK(held(e) == 2);
  CHECK(e.stats().held_events_evicted_total == 1);
  CHECK(oos(e) == 1);
  // x still completes: queued 2, answered 10, ASA 8 s; y's queueing is
  // offered only (its answer was given up).
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(1), "y").queue("q1").channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(2), "x").queue("q1").channel("voice")) ==
          ApplyResult::kApplied);
  CHECK(held(e) == 1);  // z
  const auto s = e.snapshot(at(25));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kOffered) == 2);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAnswered) == 1);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == Approx(8));
}

TEST_CASE("case events wait for the case's opening or resolution") {
  Engine e(small_config());
  // Escalated and resolved delivered before the opening.
  CHECK(e.apply(Ev(EventType::kCaseEscalated, at(30)).case_id("k1")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(40)).case_id("k1").contacts(2)) ==
        ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kCaseOpened, at(10)).case_id("k1").queue("q1").channel("email")) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 0);
  CHECK(oos(e) == 0);
  const auto s = e.snapshot(at(50));
  // Resolution time 40 - 10 = 30 s; escalated 1 of 1 opened.
  CHECK(val(*s, "q1", "email", "5m", Kpi::kAverageResolution) == Approx(30));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kEscalationRatio) == Approx(1));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kResolvedCases) == 1);
}

TEST_CASE("case.reopened withdraws a first-contact resolution; a later one resolves again") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kCaseOpened, at(0)).case_id("k1").queue("q1").channel("email")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kCaseResolved, at(100)).case_id("k1").contacts(1)) ==
          ApplyResult::kApplied);
  auto s = e.snapshot(at(150));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kFirstContactResolutionRatio) == Approx(1));  // 1/1
  CHECK(e.apply(Ev(EventType::kCaseReopened, at(200)).case_id("k1")) == ApplyResult::kApplied);
  s = e.snapshot(at(210));
  // The FCR of the resolution at 100 is withdrawn: 0 in one / 1 resolved.
  CHECK(val(*s, "q1", "email", "5m", Kpi::kFirstContactResolutionRatio) == Approx(0));
  CHECK(find_series(*s, "q1", "email")->live[static_cast<std::size_t>(LiveKpi::kCasesActive)] == 1);
  // Resolved again (its contacts say 1, but a reopened case is not
  // first-contact): 2 resolutions, 0 in one; resolution times 100 and 300.
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(300)).case_id("k1").contacts(1)) ==
        ApplyResult::kApplied);
  s = e.snapshot(at(310));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kResolvedCases) == 2);
  CHECK(val(*s, "q1", "email", "5m", Kpi::kFirstContactResolutionRatio) == Approx(0));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kAverageResolution) == Approx(200));
  CHECK(find_series(*s, "q1", "email")->live[static_cast<std::size_t>(LiveKpi::kCasesActive)] == 0);
  CHECK(oos(e) == 0);
}

TEST_CASE("a reopen delivered before its resolution waits for it") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kCaseOpened, at(0)).case_id("k2").queue("q1").channel("email")) ==
          ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kCaseReopened, at(50)).case_id("k2")) == ApplyResult::kHeld);
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(40)).case_id("k2").contacts(1)) ==
        ApplyResult::kApplied);
  CHECK(held(e) == 0);
  const auto s = e.snapshot(at(60));
  CHECK(val(*s, "q1", "email", "5m", Kpi::kFirstContactResolutionRatio) == Approx(0));  // 0/1
  CHECK(find_series(*s, "q1", "email")->live[static_cast<std::size_t>(LiveKpi::kCasesActive)] == 1);
}

TEST_CASE("a reopen of a case never resolved is out of sequence after the lateness") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kCaseOpened, at(0)).case_id("k3")) == ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kCaseReopened, at(10)).case_id("k3")) == ApplyResult::kHeld);
  e.advance(at(40));
  CHECK(oos(e) == 1);
}

TEST_CASE("the latest contact.sentiment by event time wins") {
  Engine e(small_config());
  auto sentiment = [&](const char* c, double t, double score) {
    return e.apply(
        Ev(EventType::kContactSentiment, at(t), c).queue("q1").channel("voice").score(score));
  };
  // Threshold -0.25. c1: negative at 10, then positive at 20: not negative.
  CHECK(sentiment("c1", 10, -0.8) == ApplyResult::kApplied);
  CHECK(sentiment("c1", 20, 0.5) == ApplyResult::kApplied);
  auto s = e.snapshot(at(30));
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio) == Approx(0));  // 0/1
  CHECK(kpi(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio).volume == 1);
  // c2: positive at 20 arrives first, the negative at 10 later: ignored.
  CHECK(sentiment("c2", 20, 0.5) == ApplyResult::kApplied);
  CHECK(sentiment("c2", 10, -0.8) == ApplyResult::kApplied);
  // c3: positive at 10, negative at 20: negative.
  CHECK(sentiment("c3", 10, 0.5) == ApplyResult::kApplied);
  CHECK(sentiment("c3", 20, -0.9) == ApplyResult::kApplied);
  s = e.snapshot(at(30));
  // Scored once per contact: 3; negative: c3 only.
  CHECK(kpi(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio).volume == 3);
  CHECK(val(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio) == Approx(1.0 / 3));
  CHECK(oos(e) == 0);
}

TEST_CASE("service level switches and presets") {
  // T = 20 s, S = 5 s. Answered after 5 s (within) and 30 s; abandoned
  // after 2 s (short, within) and 25 s; one overflowed. So answered 2,
  // answered within 1, abandoned 2, short 1, abandoned within 1, overflowed 1.
  auto ratio_for = [](ServiceLevelFormula f) {
    EngineConfig c = small_config();
    c.service_level_formula = f;
    Engine e(c);
    queue_answer(e, "a", "q1", "voice", 0, 5);
    queue_answer(e, "b", "q1", "voice", 0, 30);
    for (const auto& [id, t] : {std::pair{"c", 2.0}, std::pair{"d", 25.0}}) {
      REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), id).queue("q1").channel("voice")) ==
              ApplyResult::kApplied);
      REQUIRE(e.apply(Ev(EventType::kContactAbandoned, at(t), id)) == ApplyResult::kApplied);
    }
    REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), "o").queue("q1").channel("voice")) ==
            ApplyResult::kApplied);
    REQUIRE(e.apply(Ev(EventType::kContactOverflowed, at(40), "o")) == ApplyResult::kApplied);
    const auto s = e.snapshot(at(60));
    const SeriesSnapshot* x = find_series(*s, "q1", "voice");
    REQUIRE(x != nullptr);
    CHECK(x->short_abandoned_total == 1);
    CHECK(x->overflowed_total == 1);
    return val(*s, "q1", "voice", "5m", Kpi::kServiceLevelRatio).value();
  };
  // Presets: today's formulas.
  CHECK(ratio_for(ServiceLevelFormula::kDefault) == Approx(1.0 / 3));        // 1 / (2 + 2 - 1)
  CHECK(ratio_for(ServiceLevelFormula::kAnsweredOnly) == Approx(1.0 / 2));   // 1 / 2
  CHECK(ratio_for(ServiceLevelFormula::kAll) == Approx(1.0 / 5));            // 1 / (2 + 2 + 1)
  CHECK(ratio_for(ServiceLevelFormula::kRemovedWithin) == Approx(2.0 / 5));  // (1 + 1) / 5
  // Each switch from the default preset.
  ServiceLevelFormula f = ServiceLevelFormula::kDefault;
  f.include_overflowed = true;
  CHECK(ratio_for(f) == Approx(1.0 / 4));  // 1 / (2 + 2 - 1 + 1)
  f = ServiceLevelFormula::kDefault;
  f.include_short_abandoned = true;
  CHECK(ratio_for(f) == Approx(1.0 / 4));  // 1 / (2 + 2)
  f = ServiceLevelFormula::kDefault;
  f.abandoned_within_met = true;
  CHECK(ratio_for(f) == Approx(1.0 / 3));  // (1 + 1 - 1) / (2 + 2 - 1)
  f.include_short_abandoned = true;
  CHECK(ratio_for(f) == Approx(2.0 / 4));  // (1 + 1) / (2 + 2)
  f = ServiceLevelFormula::kDefault;
  f.include_abandoned = false;
  CHECK(ratio_for(f) == Approx(1.0 / 2));  // 1 / 2, the answered_only preset
  f.include_overflowed = true;
  CHECK(ratio_for(f) == Approx(1.0 / 3));  // 1 / (2 + 1)
}
