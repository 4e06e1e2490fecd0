// Accessibility KPIs: counts, ratios, service level (four formulas), waits,
// live waiting, since-start histograms.
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

// sales/voice, T = 20 s, short abandon = 5 s:
//   c1 queued 0 answered 10  (wait 10, within T)
//   c2 queued 0 answered 30  (wait 30)
//   c3 queued 0 abandoned 3  (wait 3: short, within T)
//   c4 queued 0 abandoned 25 (wait 25)
//   c5 queued 0 overflowed 40
//   c6 queued 50, still waiting
void feed(Engine& e) {
  queue_answer(e, "c1", "sales", "voice", 0, 10);
  queue_answer(e, "c2", "sales", "voice", 0, 30, "a2");
  for (const char* c : {"c3", "c4", "c5"})
    REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), c).queue("sales").channel("voice")) ==
            ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactAbandoned, at(3), "c3")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactAbandoned, at(25), "c4")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactOverflowed, at(40), "c5")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(50), "c6").queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
}

}  // namespace

TEST_CASE("accessibility counts, ratios and waits", "[engine][accessibility]") {
  Engine e(small_config());
  feed(e);
  auto s = e.snapshot(at(60));
  const auto v = [&](Kpi k) { return kpi(*s, "sales", "voice", "5m", k); };

  CHECK(v(Kpi::kOffered).value == 6);  // c1..c6
  CHECK(v(Kpi::kAnswered).value == 2);
  CHECK(v(Kpi::kAbandoned).value == 2);
  CHECK(v(Kpi::kShortAbandoned).value == 1);
  CHECK(v(Kpi::kOverflowed).value == 1);
  // answered / (answered + abandoned + overflowed) = 2 / 5
  CHECK(*v(Kpi::kAnswerRatio).value == Approx(0.4));
  CHECK(v(Kpi::kAnswerRatio).volume == 5);
  // (2 - 1) / (2 + 2 - 1 + 1) = 1 / 4
  CHECK(*v(Kpi::kAbandonRatio).value == Approx(0.25));
  CHECK(v(Kpi::kAbandonRatio).volume == 4);
  // default: answered within 20 s (c1) / (2 + 2 - 1) = 1 / 3
  CHECK(*v(Kpi::kServiceLevelRatio).value == Approx(1.0 / 3));
  CHECK(v(Kpi::kServiceLevelRatio).volume == 3);
  // ASA = (10 + 30) / 2
  CHECK(*v(Kpi::kAverageSpeedOfAnswer).value == Approx(20));
  // waits of answered + abandoned: 3, 10, 25, 30
  CHECK(*v(Kpi::kWaitMax).value == Approx(30));
  CHECK(v(Kpi::kWaitMax).volume == 4);
  // p50: rank ceil(0.5 * 4) = 2 -> 10 s, in bin [10, 11) -> midpoint 10.5
  CHECK(*v(Kpi::kWaitP50).value == Approx(10.5));
  // p90: rank ceil(0.9 * 4) = 4 -> 30 s, bin midpoint 30.5 capped at max 30
  CHECK(*v(Kpi::kWaitP90).value == Approx(30));
  // (3 + 25) / 2
  CHECK(*v(Kpi::kAverageAbandonTime).value == Approx(14));

  const SeriesSnapshot* x = find_series(*s, "sales", "voice");
  REQUIRE(x != nullptr);
  CHECK(x->live[static_cast<int>(LiveKpi::kContactsWaiting)] == 1);         // c6
  CHECK(x->live[static_cast<int>(LiveKpi::kOldestWaiting)] == Approx(10));  // 60 - 50
  CHECK(x->live[static_cast<int>(LiveKpi::kContactsActive)] == 2);          // c1, c2
  CHECK(x->offered_total == 6);
  CHECK(x->answered_total == 2);
  CHECK(x->abandoned_total == 2);
  CHECK(x->service_level_threshold_s == 20);
  CHECK(x->short_abandon_threshold_s == 5);
}

TEST_CASE("since-start wait histograms are cumulative per bound", "[engine][accessibility]") {
  Engine e(small_config());
  feed(e);
  auto s = e.snapshot(at(60));
  // Default bounds plus T = 20 and short = 5, already among them.
  const std::vector<double> bounds = {1,  2,  5,   10,  15,  20,  30,  45,
                                      60, 90, 120, 180, 300, 600, 1200};
  REQUIRE(s->wait_bucket_bounds == bounds);
  const SeriesSnapshot* x = find_series(*s, "sales", "voice");
  REQUIRE(x != nullptr);
  // answered waits 10, 30: le 5 -> 0, le 10 -> 1, le 20 -> 1, le 30 -> 2
  CHECK(x->wait_answered.cumulative_counts[2] == 0);
  CHECK(x->wait_answered.cumulative_counts[3] == 1);
  CHECK(x->wait_answered.cumulative_counts[5] == 1);
  CHECK(x->wait_answered.cumulative_counts[6] == 2);
  CHECK(x->wait_answered.count == 2);
  CHECK(x->wait_answered.sum == Approx(40));
  // abandoned waits 3, 25: le 2 -> 0, le 5 -> 1, le 20 -> 1, le 30 -> 2
  CHECK(x->wait_abandoned.cumulative_counts[1] == 0);
  CHECK(x->wait_abandoned.cumulative_counts[2] == 1);
  CHECK(x->wait_abandoned.cumulative_counts[5] == 1);
  CHECK(x->wait_abandoned.cumulative_counts[6] == 2);
  CHECK(x->wait_abandoned.sum == Approx(28));
}

TEST_CASE("service level formulas", "[engine][accessibility][sla]") {
  // Same traffic: answered 2 (1 within), abandoned 2 (1 short, 1 within),
  // overflowed 1.
  struct Row {
    ServiceLevelFormula f;
    double value, volume;
  };
  const Row rows[] = {
      {ServiceLevelFormula::kDefault, 1.0 / 3, 3},        // 1 / (2 + 2 - 1)
      {ServiceLevelFormula::kAnsweredOnly, 1.0 / 2, 2},   // 1 / 2
      {ServiceLevelFormula::kAll, 1.0 / 5, 5},            // 1 / (2 + 2 + 1)
      {ServiceLevelFormula::kRemovedWithin, 2.0 / 5, 5},  // (1 + 1) / 5
  };
  for (const Row& r : rows) {
    EngineConfig c = small_config();
    c.service_level_formula = r.f;
    Engine e(c);
    feed(e);
    auto s = e.snapshot(at(60));
    const KpiValue k = kpi(*s, "sales", "voice", "5m", Kpi::kServiceLevelRatio);
    INFO("formula: abandoned " << r.f.include_abandoned << ", short " << r.f.include_short_abandoned
                               << ", overflowed " << r.f.include_overflowed << ", within met "
                               << r.f.abandoned_within_met);
    REQUIRE(k.value.has_value());
    CHECK(*k.value == Approx(r.value));
    CHECK(k.volume == r.volume);
  }
}

TEST_CASE("empty or partial series leave ratios and means undefined", "[engine][accessibility]") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(5), "c7").queue("support").channel("chat")) ==
          ApplyResult::kApplied);
  auto s = e.snapshot(at(60));
  CHECK(val(*s, "support", "chat", "5m", Kpi::kOffered) == 1);
  CHECK(val(*s, "support", "chat", "5m", Kpi::kAnswered) == 0);  // counts are defined
  for (Kpi k : {Kpi::kAnswerRatio, Kpi::kAbandonRatio, Kpi::kServiceLevelRatio,
                Kpi::kAverageSpeedOfAnswer, Kpi::kWaitMax, Kpi::kWaitP50, Kpi::kWaitP90,
                Kpi::kAverageAbandonTime, Kpi::kAverageHandleTime, Kpi::kTransferRatio,
                Kpi::kAverageFirstResponse, Kpi::kSelfServiceRatio, Kpi::kCsatRatio, Kpi::kNps,
                Kpi::kConversionRatio, Kpi::kEscalationRatio}) {
    INFO(info(k).key);
    CHECK_FALSE(val(*s, "support", "chat", "5m", k).has_value());
    CHECK(kpi(*s, "support", "chat", "5m", k).volume == 0);
  }
  // Only series that saw an event exist.
  CHECK(s->series.size() == 1);
  CHECK(find_series(*s, "sales", "voice") == nullptr);
}

TEST_CASE("service level overrides: glob match, later wins", "[engine][accessibility][sla]") {
  EngineConfig c = small_config();
  c.service_level_overrides = {
      {"sal*", "*", 12.5, std::nullopt},
      {"sales", "voice", std::nullopt, 3.0},
      {"sales", "chat", 40.0, std::nullopt},
  };
  c.extra_wait_buckets_s = {0.5};
  Engine e(c);
  // sales/voice: T = 12.5, short = 3.
  queue_answer(e, "v1", "sales", "voice", 0, 12);  // wait 12 <= 12.5: within
  queue_answer(e, "v2", "sales", "voice", 0, 13);  // wait 13: not within
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(0), "v3").queue("sales").channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactAbandoned, at(4), "v3")) == ApplyResult::kApplied);
  for (const auto& [q, ch] : std::vector<std::pair<std::string, std::string>>{
           {"sales", "chat"}, {"salon", "voice"}, {"support", "voice"}}) {
    REQUIRE(e.apply(Ev(EventType::kContactQueued, at(1), q + ch).queue(q).channel(ch)) ==
            ApplyResult::kApplied);
  }
  auto s = e.snapshot(at(60));
  struct Row {
    const char *q, *ch;
    double t, sa;
  };
  for (const Row& r : {Row{"sales", "voice", 12.5, 3}, Row{"sales", "chat", 40, 5},
                       Row{"salon", "voice", 12.5, 5}, Row{"support", "voice", 20, 5}}) {
    const SeriesSnapshot* x = find_series(*s, r.q, r.ch);
    REQUIRE(x != nullptr);
    CHECK(x->service_level_threshold_s == r.t);
    CHECK(x->short_abandon_threshold_s == r.sa);
  }
  // Abandon at 4 s is not short (4 >= 3) but within 12.5: default SL =
  // 1 / (2 + 1 - 0).
  CHECK(val(*s, "sales", "voice", "5m", Kpi::kShortAbandoned) == 0);
  CHECK(*val(*s, "sales", "voice", "5m", Kpi::kServiceLevelRatio) == Approx(1.0 / 3));
  // Bounds: defaults + {20, 5, 12.5, 3, 40} + extra {0.5}, sorted, unique.
  const std::vector<double> bounds = {0.5, 1,  2,  3,  5,   10,  12.5, 15,  20,  30,
                                      40,  45, 60, 90, 120, 180, 300,  600, 1200};
  CHECK(s->wait_bucket_bounds == bounds);
}
