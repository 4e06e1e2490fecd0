// Agent KPIs per team: occupancy, contacts per agent hour, time between
// contacts, agents by state now.
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

void state(Engine& e, const std::string& agent, double s, AgentState st,
           const std::string& team = "") {
  Ev ev(EventType::kAgentState, at(s));
  ev.agent(agent).state(st);
  if (!team.empty()) ev.team(team);
  REQUIRE(e.apply(ev) == ApplyResult::kApplied);
}

}  // namespace

TEST_CASE("occupancy, contacts per hour and time between contacts", "[engine][agents]") {
  Engine e(small_config());
  // a1 (t1): available 0..60, busy 60..120, wrap_up 120..150, available 150..now=180.
  state(e, "a1", 0, AgentState::kAvailable, "t1");
  queue_answer(e, "c1", "q", "voice", 55, 60, "a1");
  state(e, "a1", 60, AgentState::kBusy);  // team remembered
  REQUIRE(e.apply(Ev(EventType::kContactEnded, at(120), "c1")) == ApplyResult::kApplied);
  state(e, "a1", 120, AgentState::kWrapUp);
  REQUIRE(e.apply(Ev(EventType::kContactWrapped, at(150), "c1")) == ApplyResult::kApplied);
  state(e, "a1", 150, AgentState::kAvailable);
  queue_answer(e, "c2", "q", "voice", 165, 170, "a1");  // 20 s after the wrap at 150
  // a2 (t2): away then offline: no staffed time.
  state(e, "a2", 0, AgentState::kAway, "t2");
  state(e, "a2", 100, AgentState::kOffline);
  // a3: no team -> "unknown"; available from 100.
  state(e, "a3", 100, AgentState::kAvailable);

  auto s = e.snapshot(at(180));
  // t1: available 60 + 30 (ongoing) = 90, busy 60, wrap 30: (60 + 30) / 180.
  CHECK(*team_kpi(*s, "t1", "5m", TeamKpi::kOccupancyRatio).value == Approx(0.5));
  CHECK(team_kpi(*s, "t1", "5m", TeamKpi::kOccupancyRatio).volume == Approx(180));
  // 1 handled / (180 s = 0.05 h) = 20 per hour.
  CHECK(*team_kpi(*s, "t1", "5m", TeamKpi::kContactsPerAgentHour).value == Approx(20));
  CHECK(*team_kpi(*s, "t1", "5m", TeamKpi::kAverageTimeBetweenContacts).value == Approx(20));
  CHECK_FALSE(team_kpi(*s, "t2", "5m", TeamKpi::kOccupancyRatio).value.has_value());
  CHECK_FALSE(team_kpi(*s, "t2", "5m", TeamKpi::kAverageTimeBetweenContacts).value.has_value());
  CHECK(*team_kpi(*s, "unknown", "5m", TeamKpi::kOccupancyRatio).value == Approx(0));  // 0 / 80

  const TeamSnapshot* t1 = find_team(*s, "t1");
  REQUIRE(t1 != nullptr);
  CHECK(t1->agents[static_cast<int>(AgentState::kAvailable)] == 1);
  CHECK(find_team(*s, "t2")->agents[static_cast<int>(AgentState::kOffline)] == 1);
  // Sorted by team name.
  REQUIRE(s->teams.size() == 3);
  CHECK(s->teams[0].team == "t1");
  CHECK(s->teams[2].team == "unknown");
}

TEST_CASE("state time is split across bucket edges and expires", "[engine][agents][window]") {
  Engine e(small_config());
  state(e, "a1", 0, AgentState::kAvailable, "t1");
  state(e, "a1", 602, AgentState::kBusy);
  auto s = e.snapshot(at(900));
  // 5m = (600, 900]: available 600..602 = 2 s, busy 602..900 = 298 s (ongoing).
  CHECK(*team_kpi(*s, "t1", "5m", TeamKpi::kOccupancyRatio).value == Approx(298.0 / 300));
  // 1h: available 602 s, busy 298 s.
  CHECK(*team_kpi(*s, "t1", "1h", TeamKpi::kOccupancyRatio).value == Approx(298.0 / 900));
}

TEST_CASE("a late agent state change is out of sequence", "[engine][agents]") {
  Engine e(small_config());
  state(e, "a1", 100, AgentState::kAvailable, "t1");
  CHECK(e.apply(Ev(EventType::kAgentState, at(50)).agent("a1").state(AgentState::kBusy)) ==
        ApplyResult::kOutOfSequence);
  CHECK(e.stats().out_of_sequence_total == 1);
  CHECK(e.stats().tracked_agents == 1);
}

TEST_CASE("a late state change inside the history re-splits the interval", "[engine][agents]") {
  Engine e(small_config());
  state(e, "r1", 0, AgentState::kAvailable, "t");
  state(e, "r1", 120, AgentState::kBusy);
  // Arrives late: away from 60 to the next known change at 120.
  CHECK(e.apply(Ev(EventType::kAgentState, at(60)).agent("r1").state(AgentState::kAway)) ==
        ApplyResult::kApplied);
  auto s = e.snapshot(at(180));
  // available 0..60 (60), away 60..120 (not staffed), busy 120..180 (60):
  // occupancy = 60 / (60 + 60); per hour = 0 / (120 / 3600) = 0.
  CHECK(*team_kpi(*s, "t", "5m", TeamKpi::kOccupancyRatio).value == Approx(0.5));
  CHECK(team_kpi(*s, "t", "5m", TeamKpi::kOccupancyRatio).volume == Approx(120));
  CHECK(*team_kpi(*s, "t", "5m", TeamKpi::kContactsPerAgentHour).value == Approx(0));
  // The current state is unchanged.
  CHECK(find_team(*s, "t")->agents[static_cast<int>(AgentState::kBusy)] == 1);
}

TEST_CASE("past max_tracked_agents the least recently active agent is evicted and counted",
          "[engine][agents]") {
  EngineConfig c = small_config();
  c.max_tracked_agents = 2;
  Engine e(c);
  state(e, "a1", 0, AgentState::kAvailable, "t1");
  state(e, "a2", 1, AgentState::kAvailable, "t1");
  state(e, "a1", 2, AgentState::kBusy);             // a1 active again: a2 is the oldest
  state(e, "a3", 3, AgentState::kAvailable, "t1");  // evicts a2
  CHECK(e.stats().tracked_agents == 2);
  CHECK(e.stats().evicted_agents_total == 1);
  auto s = e.snapshot(at(10));
  CHECK(s->stats.evicted_agents_total == 1);
  const TeamSnapshot* t1 = find_team(*s, "t1");
  REQUIRE(t1 != nullptr);
  // Agents now: a1 busy, a3 available; a2 is forgotten.
  CHECK(t1->agents[static_cast<int>(AgentState::kBusy)] == 1);
  CHECK(t1->agents[static_cast<int>(AgentState::kAvailable)] == 1);
  // An agent named on a contact counts as activity too.
  queue_answer(e, "c1", "q", "voice", 4, 5, "a4");  // evicts a1 (a3 is newer)
  CHECK(e.stats().evicted_agents_total == 2);
}
