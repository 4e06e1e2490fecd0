// Resolution, quality and outcome KPIs: cases, surveys, sentiment, churn.
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

ApplyResult cs(Engine& e, EventType t, double s, const std::string& id) {
  Ev ev(t, at(s));
  ev.case_id(id);
  if (t == EventType::kCaseOpened) ev.queue("support").channel("email");
  return e.apply(ev);
}

}  // namespace

TEST_CASE("case KPIs: FCR, resolution time, escalation, active", "[engine][cases]") {
  EngineConfig c = small_config();
  c.lateness = 0;  // out of sequence at once: the hold is tested in unordered_test.cpp
  Engine e(c);
  REQUIRE(cs(e, EventType::kCaseOpened, 0, "k1") == ApplyResult::kApplied);
  REQUIRE(cs(e, EventType::kCaseEscalated, 10, "k1") == ApplyResult::kApplied);
  REQUIRE(cs(e, EventType::kCaseOpened, 20, "k2") == ApplyResult::kApplied);
  REQUIRE(cs(e, EventType::kCaseOpened, 30, "k3") == ApplyResult::kApplied);
  REQUIRE(cs(e, EventType::kCaseEscalated, 35, "k3") == ApplyResult::kApplied);
  CHECK(cs(e, EventType::kCaseEscalated, 36, "k3") == ApplyResult::kOutOfSequence);  // twice
  CHECK(cs(e, EventType::kCaseOpened, 37, "k3") == ApplyResult::kOutOfSequence);     // twice
  // k1: resolved 100 in one contact (resolution 100); k2: 80 in three (60).
  REQUIRE(e.apply(Ev(EventType::kCaseResolved, at(100)).case_id("k1").contacts(1)) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kCaseResolved, at(80)).case_id("k2").contacts(3)) ==
          ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(110)).case_id("k1").contacts(1)) ==
        ApplyResult::kOutOfSequence);  // resolved twice: not counted again
  // k4 never opened: counted as resolved (and FCR) in unknown/unknown, no
  // resolution time, reported out of sequence.
  CHECK(e.apply(Ev(EventType::kCaseResolved, at(50)).case_id("k4").contacts(1)) ==
        ApplyResult::kOutOfSequence);
  CHECK(e.apply(Ev(EventType::kCaseEscalated, at(51)).case_id("k5")) ==
        ApplyResult::kOutOfSequence);

  auto s = e.snapshot(at(120));
  const auto v = [&](Kpi k) { return kpi(*s, "support", "email", "5m", k); };
  CHECK(v(Kpi::kResolvedCases).value == 2);
  CHECK(*v(Kpi::kFirstContactResolutionRatio).value == Approx(0.5));  // k1 / (k1, k2)
  CHECK(*v(Kpi::kAverageResolution).value == Approx(80));             // (100 + 60) / 2
  CHECK(*v(Kpi::kEscalationRatio).value == Approx(2.0 / 3));          // k1, k3 / 3 opened
  CHECK(v(Kpi::kEscalationRatio).volume == 3);
  CHECK(find_series(*s, "support", "email")->live[static_cast<int>(LiveKpi::kCasesActive)] ==
        1);  // k3
  CHECK(val(*s, "unknown", "unknown", "5m", Kpi::kResolvedCases) == 1);
  CHECK(*val(*s, "unknown", "unknown", "5m", Kpi::kFirstContactResolutionRatio) == Approx(1));
  CHECK_FALSE(val(*s, "unknown", "unknown", "5m", Kpi::kAverageResolution).has_value());
  CHECK(e.stats().out_of_sequence_total == 5);
}

TEST_CASE("surveys: own fields, then the remembered contact, then unknown", "[engine][quality]") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), "s1").queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kSurveyAnswered, at(10), "s1").csat(5).nps(10)) ==
          ApplyResult::kApplied);  // -> sales/voice
  REQUIRE(
      e.apply(
          Ev(EventType::kSurveyAnswered, at(11), "s1").queue("billing").csat(3).nps(6).ces(4)) ==
      ApplyResult::kApplied);  // queue explicit, channel remembered
  REQUIRE(e.apply(Ev(EventType::kSurveyAnswered, at(12)).csat(4).nps(8).ces(2)) ==
          ApplyResult::kApplied);  // -> unknown/unknown
  REQUIRE(e.apply(Ev(EventType::kSurveyAnswered, at(13), "ghost").csat(1)) ==
          ApplyResult::kApplied);  // unknown contact -> unknown/unknown

  auto s = e.snapshot(at(60));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kCsatRatio) == Approx(1));  // 1 / 1
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kCsatAverage) == Approx(5));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kNps) == Approx(100));  // 100 * (1 - 0) / 1
  CHECK_FALSE(val(*s, "sales", "voice", "5m", Kpi::kCesAverage).has_value());
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kCsatRatio) == Approx(0));
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kNps) == Approx(-100));  // 100 * (0 - 1) / 1
  CHECK(*val(*s, "billing", "voice", "5m", Kpi::kCesAverage) == Approx(4));
  CHECK(*val(*s, "unknown", "unknown", "5m", Kpi::kCsatRatio) ==
        Approx(0.5));  // csat 4 and 1: one top-2 of 2
  CHECK(*val(*s, "unknown", "unknown", "5m", Kpi::kCsatAverage) == Approx(2.5));  // (4 + 1) / 2
  CHECK(*val(*s, "unknown", "unknown", "5m", Kpi::kNps) == Approx(0));            // one passive (8)
  CHECK(kpi(*s, "unknown", "unknown", "5m", Kpi::kNps).volume == 1);
  CHECK(*val(*s, "unknown", "unknown", "5m", Kpi::kCesAverage) == Approx(2));
}

TEST_CASE("sentiment, conversion once per contact, churn", "[engine][quality]") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), "s1").queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(1), "s2").queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
  // At the threshold (-0.25) counts as negative; 0.3 does not.
  REQUIRE(e.apply(Ev(EventType::kContactSentiment, at(5), "s1").score(-0.25)) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactSentiment, at(6), "s2").score(0.3)) ==
          ApplyResult::kApplied);
  // A later score replaces s2's (the latest by event time wins): negative now.
  CHECK(e.apply(Ev(EventType::kContactSentiment, at(7), "s2").score(-0.9)) ==
        ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kCustomerChurned, at(20)).queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kCustomerChurned, at(21))) == ApplyResult::kApplied);

  auto s = e.snapshot(at(60));
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kNegativeSentimentRatio) == Approx(1));  // 2 / 2
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kChurnedCustomers) == 1);
  CHECK(val(*s, "unknown", "unknown", "5m", Kpi::kChurnedCustomers) == 1);
}
