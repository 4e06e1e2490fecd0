// A seeded random stream of valid-but-arbitrary events: the engine must never
// crash, never let a live count go negative, and never count more outcomes
// than offers.
#include <cstdint>

#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

TEST_CASE("random event streams keep the engine consistent", "[engine][robustness]") {
  EngineConfig c = small_config();
  c.today_window = true;
  c.acw_timeout = seconds(30);
  c.contact_idle_timeout = seconds(600);
  c.case_idle_timeout = seconds(600);
  c.max_tracked_contacts = 40;
  c.max_tracked_agents = 4;
  c.limits.max_queues = 3;
  Engine e(c);
  std::uint64_t x = 12345;  // fixed seed: reproducible
  auto rnd = [&](std::uint64_t n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
  };
  const char* queues[] = {"q0", "q1", "q2", "q3", ""};
  const char* channels[] = {"voice", "chat", ""};
  double t = 0;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<double>(rnd(5));
    const auto type = static_cast<EventType>(rnd(kEventTypeCount));
    // Mostly in order, sometimes up to 60 s late.
    const double when = rnd(10) == 0 ? t - static_cast<double>(rnd(60)) : t;
    Ev ev(type, at(when), "c" + std::to_string(rnd(60)));
    ev.queue(queues[rnd(5)]).channel(channels[rnd(3)]).case_id("k" + std::to_string(rnd(10)));
    ev.agent("a" + std::to_string(rnd(6))).team(rnd(2) ? "t1" : "");
    if (type == EventType::kContactQueued) ev.queue("q" + std::to_string(rnd(4)));
    if (type == EventType::kContactTransferred && rnd(2)) ev.to_agent("a9");
    if (type == EventType::kContactDeflected) ev.to_channel("messaging");
    if (type == EventType::kAgentState) ev.state(static_cast<AgentState>(rnd(kAgentStateCount)));
    if (type == EventType::kSurveyAnswered) ev.csat(1 + static_cast<int>(rnd(5)));
    if (type == EventType::kCaseResolved) ev.contacts(1 + static_cast<std::int64_t>(rnd(3)));
    if (type == EventType::kContactSentiment) ev.score(-1.0 + static_cast<double>(rnd(21)) / 10);
    e.apply(ev);
    if (i % 97 == 0) e.advance(at(t));
    if (i % 1000 == 999) {
      auto s = e.snapshot(at(t));
      std::uint64_t offered = 0, outcomes = 0;
      for (const auto& series : s->series) {
        for (double live : series.live) REQUIRE(live >= 0);
        offered += series.offered_total;
        outcomes += series.answered_total + series.abandoned_total;
        for (const auto& w : series.windows) {
          for (const auto& k : w.kpis) {
            if (k.value) REQUIRE(std::isfinite(*k.value));
            REQUIRE(k.volume >= 0);
          }
          const auto& sl = w.kpis[static_cast<int>(Kpi::kServiceLevelRatio)];
          if (sl.value) REQUIRE(*sl.value <= 1.0 + 1e-9);
        }
      }
      REQUIRE(outcomes <= offered);
      REQUIRE(e.stats().tracked_contacts <= 40);
      REQUIRE(e.stats().tracked_agents <= 4);
      for (const auto& team : s->teams) {
        for (const auto& w : team.windows) {
          const auto& occ = w[static_cast<int>(TeamKpi::kOccupancyRatio)];
          if (occ.value) REQUIRE((*occ.value >= 0 && *occ.value <= 1.0 + 1e-9));
        }
      }
    }
  }
  CHECK(e.stats().out_of_sequence_total > 0);
  CHECK(e.stats().series_folded_total > 0);  // q3 is past the cap of 3 queues
}
