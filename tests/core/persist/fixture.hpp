// The v1 fixture's scenario (tests/core/persist/data/state-v1.bin): a small
// hand-checkable day start written by ccmon_state_fixture (make_fixture.cpp)
// and read by fixture_test.cpp; also the robustness tests' small image.
//
// Times are seconds after kT0 (2027-01-15T08:00:00Z), queue q1, channel voice:
//   0  a1, a2 available (team t1)
//  10  c1 queued          20  c1 answered by a1 (waited 10 s)
//  30  c2 queued (still waiting at the end)
//  40  c3 queued          45  c3 abandoned (waited 5 s)
//  50  c4 queued          55  c4 answered by a2 (waited 5 s)
//  58  message.received on c2 (touches it)
//  60  c1 ended (talk 40 s; ACW due at 60 + 30 = 90), a1 wrap_up
//  62  c4 held
//  65  c5 queued: the 5th contact at a cap of 4 evicts the least recently
//      touched, c3 (touched last at 45)
//  70  case k1 opened      72  case k2 opened      74  k2 resolved (1 contact)
//  75  survey on c1: CSAT 5
//  78  c1's queued event resent with its id: a duplicate, not applied
//  80  SLA "oldest" (oldest waiting <= 20 s for 15 s) evaluated: c2 has waited
//      50 s: violating from 80, not breached yet
// From format v4 (fixture_v4_steps, ids "g1".."g4"), after the steps above:
//  81  c6 answered by a2, never queued: held (unordered delivery, due 111)
//  82  sentiment -0.9 on c4 (negative)
//  83  a sentiment 0.5 on c4 dated 81.5: earlier than the counted one, ignored
//  84  case k2 reopened: its first-contact resolution at 74 is withdrawn
// The image is taken with extra = kFixtureExtra.
#pragma once

#include <string>
#include <vector>

#include "core/persist/state_codec.hpp"
#include "world.hpp"

namespace ccmon::core::test {

inline constexpr const char* kFixtureExtra = "fixture v1";

inline EngineConfig fixture_config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}};
  c.today_window = true;  // UTC, day from 00:00
  c.acw_timeout = seconds(30);
  c.max_tracked_contacts = 4;
  return c;
}

inline DedupOptions fixture_dedup() {
  return {minutes(10), 100};
}

inline std::vector<SlaRule> fixture_rules() {
  SlaRule r;
  r.name = "oldest";
  r.kpi = "oldest_waiting_seconds";
  r.comparison = Comparison::kLessEqual;
  r.target = 20;
  r.for_duration = seconds(15);
  return {r};
}

// The scenario's steps (see above); event ids are "f1", "f2", ...
inline std::vector<Step> fixture_steps() {
  std::vector<Step> steps;
  int n = 0;
  auto add = [&](Event e) {
    e.id = name("f", static_cast<std::uint64_t>(++n));
    if (e.queue.empty() && e.type != EventType::kAgentState) e.queue = "q1";
    if (e.channel.empty() && e.type != EventType::kAgentState) e.channel = "voice";
    steps.push_back({Step::kEvent, std::move(e), 0});
  };
  auto agent = [&](double s, const char* id, AgentState state) {
    Event e = ev(EventType::kAgentState, s);
    e.agent = id;
    e.team = "t1";
    e.state = state;
    add(std::move(e));
  };
  auto contact = [&](EventType t, double s, const char* c, const char* agent_id = "") {
    Event e = ev(t, s, c);
    e.agent = agent_id;
    add(std::move(e));
  };
  auto with_case = [&](EventType t, double s, const char* k) {
    Event e = ev(t, s);
    e.case_id = k;
    if (t == EventType::kCaseResolved) e.contacts = 1;
    add(std::move(e));
  };
  agent(0, "a1", AgentState::kAvailable);
  agent(0, "a2", AgentState::kAvailable);
  contact(EventType::kContactQueued, 10, "c1");
  contact(EventType::kContactAnswered, 20, "c1", "a1");
  contact(EventType::kContactQueued, 30, "c2");
  contact(EventType::kContactQueued, 40, "c3");
  contact(EventType::kContactAbandoned, 45, "c3");
  contact(EventType::kContactQueued, 50, "c4");
  contact(EventType::kContactAnswered, 55, "c4", "a2");
  contact(EventType::kMessageReceived, 58, "c2");
  contact(EventType::kContactEnded, 60, "c1");
  agent(60, "a1", AgentState::kWrapUp);
  contact(EventType::kContactHeld, 62, "c4");
  contact(EventType::kContactQueued, 65, "c5");
  with_case(EventType::kCaseOpened, 70, "k1");
  with_case(EventType::kCaseOpened, 72, "k2");
  with_case(EventType::kCaseResolved, 74, "k2");
  Event survey = ev(EventType::kSurveyAnswered, 75, "c1");
  survey.csat = 5;
  add(std::move(survey));
  Step resend = steps[2];  // c1 queued, same id
  resend.event.time = kT0 + seconds(78);
  steps.push_back(resend);
  steps.push_back({Step::kEvaluate, {}, kT0 + seconds(80)});
  return steps;
}

// The steps the v4 fixture adds (see above).
inline std::vector<Step> fixture_v4_steps() {
  std::vector<Step> steps;
  int n = 0;
  auto add = [&](Event e) {
    e.id = name("g", static_cast<std::uint64_t>(++n));
    e.queue = "q1";
    e.channel = "voice";
    steps.push_back({Step::kEvent, std::move(e), 0});
  };
  Event answered = ev(EventType::kContactAnswered, 81, "c6");
  answered.agent = "a2";
  add(std::move(answered));
  Event negative = ev(EventType::kContactSentiment, 82, "c4");
  negative.score = -0.9;
  add(std::move(negative));
  Event earlier = ev(EventType::kContactSentiment, 81.5, "c4");
  earlier.score = 0.5;
  add(std::move(earlier));
  Event reopened = ev(EventType::kCaseReopened, 84);
  reopened.case_id = "k2";
  add(std::move(reopened));
  return steps;
}

inline std::string fixture_image() {
  World w(fixture_config(), fixture_dedup(), fixture_rules());
  for (const Step& s : fixture_steps()) run(w, s);
  for (const Step& s : fixture_v4_steps()) run(w, s);
  return persist::encode_state(w.engine, w.dedup, w.sla, kFixtureExtra);
}

}  // namespace ccmon::core::test
