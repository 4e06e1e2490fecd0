// A seeded random stream of valid-but-arbitrary events: the engine must never
// crash, never let a live count go negative, and never count more outcomes
// than offers.
#include <cstdint>
#include <vector>

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
    Ev ev(type, at(when), 'c' + std::to_string(rnd(60)));
    ev.queue(queues[rnd(5)]).channel(channels[rnd(3)]).case_id('k' + std::to_string(rnd(10)));
    ev.agent('a' + std::to_string(rnd(6))).team(rnd(2) ? "t1" : "");
    if (type == EventType::kContactQueued) ev.queue('q' + std::to_string(rnd(4)));
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

// Engine::apply(span) prefetches ahead but must give exactly what applying
// the same events one by one gives: a second implementation as the oracle.
TEST_CASE("batched apply equals one-by-one apply", "[engine][robustness]") {
  EngineConfig c = small_config();
  c.today_window = true;
  c.max_tracked_contacts = 50;
  std::uint64_t x = 987654321;  // fixed seed: reproducible
  auto rnd = [&](std::uint64_t n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
  };
  std::vector<Event> events;
  double t = 0;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<double>(rnd(4));
    const auto type = static_cast<EventType>(rnd(kEventTypeCount));
    Ev ev(type, at(rnd(10) == 0 ? t - static_cast<double>(rnd(60)) : t),
          rnd(20) == 0 ? "" : 'c' + std::to_string(rnd(80)));
    ev.queue('q' + std::to_string(rnd(3))).channel(rnd(2) ? "voice" : "chat");
    ev.agent('a' + std::to_string(rnd(6))).team('t' + std::to_string(rnd(2)));
    ev.case_id('k' + std::to_string(rnd(10)));
    if (type == EventType::kAgentState) ev.state(static_cast<AgentState>(rnd(kAgentStateCount)));
    if (type == EventType::kCaseResolved) ev.contacts(1 + static_cast<std::int64_t>(rnd(3)));
    if (type == EventType::kSurveyAnswered) ev.csat(1 + static_cast<int>(rnd(5)));
    events.push_back(ev.e);
  }
  Engine one(c), batched(c);
  for (const Event& e : events) one.apply(e);
  std::vector<const Event*> batch;
  for (std::size_t i = 0; i < events.size();) {
    batch.clear();
    const std::size_t n = 1 + rnd(40);  // batch sizes 1..40, below and above the look-ahead
    for (; batch.size() < n && i < events.size(); ++i) batch.push_back(&events[i]);
    batched.apply(batch);
  }
  const Timestamp now = at(t);
  const auto a = one.snapshot(now);
  const auto b = batched.snapshot(now);
  REQUIRE(a->series.size() == b->series.size());
  REQUIRE(!a->series.empty());
  for (std::size_t i = 0; i < a->series.size(); ++i) {
    const auto& sa = a->series[i];
    const auto& sb = b->series[i];
    CHECK(sa.queue == sb.queue);
    CHECK(sa.channel == sb.channel);
    CHECK(sa.live == sb.live);
    CHECK(sa.offered_total == sb.offered_total);
    CHECK(sa.answered_total == sb.answered_total);
    CHECK(sa.handled_total == sb.handled_total);
    REQUIRE(sa.windows.size() == sb.windows.size());
    for (std::size_t w = 0; w < sa.windows.size(); ++w) {
      for (int k = 0; k < kKpiCount; ++k) {
        CHECK(sa.windows[w].kpis[k].value == sb.windows[w].kpis[k].value);
        CHECK(sa.windows[w].kpis[k].volume == sb.windows[w].kpis[k].volume);
      }
    }
  }
  REQUIRE(a->teams.size() == b->teams.size());
  for (std::size_t i = 0; i < a->teams.size(); ++i) CHECK(a->teams[i].agents == b->teams[i].agents);
  CHECK(one.stats().out_of_sequence_total == batched.stats().out_of_sequence_total);
  CHECK(one.stats().evicted_contacts_total == batched.stats().evicted_contacts_total);
  CHECK(one.stats().tracked_contacts == batched.stats().tracked_contacts);
}
