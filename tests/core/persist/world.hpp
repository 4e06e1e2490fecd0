// A "world" (engine, duplicate-id memory, SLA evaluator, as the daemon's
// engine thread holds them), a seeded random stream of events, ticks and
// evaluations, and an observation of everything the daemon would show
// (/metrics text, stats, SLA families and transitions), to compare two
// worlds byte for byte. No test framework: the fixture generator uses it too.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/snapshot.hpp"
#include "core/exposition/snapshot_text.hpp"
#include "core/exposition/text_format.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "core/sla/sla_exposition.hpp"
#include "tests/core/engine/xorshift.hpp"

namespace ccmon::core::test {

// 2027-01-15T08:00:00Z, a multiple of every bucket width used here.
inline constexpr Timestamp kT0 = seconds(1'800'000'000);

struct World {
  Engine engine;
  Deduplicator dedup;
  SlaEvaluator sla;
  std::string answers;  // per step run: '1' new event, '0' duplicate, '-' no event

  World(EngineConfig c, DedupOptions d, std::vector<SlaRule> rules)
      : engine(std::move(c)), dedup(d), sla(std::move(rules)) {}
};

// One step of the daemon's engine thread.
struct Step {
  enum Kind { kEvent, kAdvance, kEvaluate } kind = kEvent;
  Event event;      // kEvent (event.id is the dedup id)
  Timestamp t = 0;  // kAdvance, kEvaluate
};

inline void run(World& w, const Step& s) {
  switch (s.kind) {
    case Step::kEvent: {
      const bool fresh = w.dedup.insert(s.event.id, s.event.time);
      w.answers.push_back(fresh ? '1' : '0');
      if (fresh) w.engine.apply(s.event);
      break;
    }
    case Step::kAdvance:
      w.answers.push_back('-');
      w.engine.advance(s.t);
      w.dedup.expire(s.t);
      break;
    case Step::kEvaluate:
      w.answers.push_back('-');
      w.sla.evaluate(*w.engine.snapshot(s.t), s.t);
      break;
  }
}

inline void append_transitions(std::string& out, const std::vector<SlaTransition>& ts) {
  for (const auto& t : ts) {
    out.append(t.sla).append("|").append(t.queue).append("|").append(t.channel).append("|");
    out.append(t.value ? std::to_string(*t.value) : "-").append("|");
    out.append(t.entered ? "entered|" : "left|").append(std::to_string(t.at)).append("\n");
  }
}

// Everything the daemon would show at `now`: the /metrics text of a
// snapshot and of the SLA families, the engine stats, the SLA transitions
// since the last observation, and the memory's size. (Dedup answers are in
// World::answers.)
inline std::string observe(World& w, Timestamp now) {
  std::string out;
  append_snapshot_text(out, *w.engine.snapshot(now));
  append_text(out, sla_families(w.sla.states()));
  const EngineStats s = w.engine.stats();
  for (std::uint64_t v : {s.tracked_contacts, s.tracked_cases, s.tracked_agents,
                          s.out_of_sequence_total, s.evicted_contacts_total, s.evicted_cases_total,
                          s.evicted_agents_total, s.series_folded_total}) {
    out.append(std::to_string(v)).append(" ");
  }
  out.append("\ndedup ").append(std::to_string(w.dedup.size())).append("\n");
  append_transitions(out, w.sla.take_transitions());
  return out;
}

// Small caps and timeouts so that evictions, folding, ACW timeouts, day
// rolls and expiring windows all happen within a few thousand events.
inline EngineConfig busy_config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}, {"1h", hours(1)}};
  c.today_window = true;
  c.time_zone.name = "Test/UTC+1";
  c.time_zone.initial_offset_s = 3600;
  c.day_start_hour = 12;  // 11:00Z: the stream from 08:00Z crosses it
  c.acw_timeout = seconds(30);
  c.contact_idle_timeout = seconds(600);
  c.case_idle_timeout = seconds(900);
  c.max_tracked_contacts = 40;
  c.max_tracked_cases = 8;
  c.max_tracked_agents = 4;
  c.limits.max_queues = 3;
  c.service_level_overrides.push_back({"q1", "*", 30.0, std::nullopt});
  return c;
}

inline DedupOptions busy_dedup() {
  return {minutes(10), 300};
}

inline std::vector<SlaRule> busy_rules() {
  SlaRule sl;
  sl.name = "sl80";
  sl.kpi = "service_level_ratio";
  sl.target = 0.8;
  sl.window = "5m";
  sl.for_duration = seconds(60);
  SlaRule oldest;
  oldest.name = "oldest";
  oldest.kpi = "oldest_waiting_seconds";
  oldest.comparison = Comparison::kLessEqual;
  oldest.target = 20;
  oldest.for_duration = seconds(15);
  return {sl, oldest};
}

// prefix + number, built by appending (GCC 12 -O3 warns falsely on
// assigning a literal, then appending: -Wrestrict).
inline std::string name(const char* prefix, std::uint64_t n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

// A seeded mixed stream over ~11 h: every event type, mostly in order, some
// up to 60 s late, repeated ids (duplicates), ticks and SLA evaluations.
inline std::vector<Step> random_steps(std::uint64_t seed, int n) {
  XorShift rnd{seed};
  const char* queues[] = {"q0", "q1", "q2", "q3", ""};
  const char* channels[] = {"voice", "chat", ""};
  std::vector<Step> steps;
  Timestamp t = kT0;
  for (int i = 0; i < n; ++i) {
    t += seconds(static_cast<std::int64_t>(rnd(4)));
    Step s;
    Event& e = s.event;
    e.type = static_cast<EventType>(rnd(kEventTypeCount));
    e.time = rnd(10) == 0 ? t - seconds(static_cast<std::int64_t>(rnd(60))) : t;
    e.id = name("id", rnd(10) == 0 ? rnd(static_cast<std::uint64_t>(i) + 1) : i);
    e.contact = name("c", rnd(60));
    e.queue = queues[rnd(5)];
    e.channel = channels[rnd(3)];
    e.case_id = name("k", rnd(12));
    e.agent = name("a", rnd(6));
    e.team = rnd(3) == 0 ? "" : (rnd(2) ? "t1" : "t2");
    if (e.type == EventType::kContactQueued) {
      e.queue = name("q", rnd(4));
    }
    if (e.type == EventType::kContactTransferred && rnd(2)) e.to_agent = "a9";
    if (e.type == EventType::kContactDeflected) e.to_channel = rnd(2) ? "messaging" : "web";
    if (e.type == EventType::kAgentState) e.state = static_cast<AgentState>(rnd(kAgentStateCount));
    if (e.type == EventType::kSurveyAnswered) e.csat = 1 + static_cast<int>(rnd(5));
    if (e.type == EventType::kCaseResolved) e.contacts = 1 + static_cast<std::int64_t>(rnd(3));
    if (e.type == EventType::kContactSentiment) e.score = -1.0 + static_cast<double>(rnd(21)) / 10;
    steps.push_back(std::move(s));
    if (i % 37 == 0) steps.push_back({Step::kAdvance, {}, t});
    if (i % 53 == 0) steps.push_back({Step::kEvaluate, {}, t});
  }
  return steps;
}

// An event at kT0 + s seconds (its dedup id made from its fields).
inline Event ev(EventType type, double s, std::string contact = "") {
  Event e;
  e.type = type;
  e.time = kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
  e.contact = std::move(contact);
  e.id = name("e", static_cast<std::uint64_t>(e.time));
  e.id.append(e.contact);
  return e;
}

// "" when equal, else where a and b first differ, with some context.
inline std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::size_t from = i < 200 ? 0 : i - 200;
  std::string out("differ at byte ");
  out.append(std::to_string(i)).append(":\n--- a\n").append(a.substr(from, 400));
  out.append("\n--- b\n").append(b.substr(from, 400));
  return out;
}

// The time of the latest step up to `end` (exclusive), for observations.
inline Timestamp time_before(const std::vector<Step>& steps, std::size_t end) {
  Timestamp t = kT0;
  for (std::size_t i = 0; i < end; ++i) {
    t = std::max(t, steps[i].kind == Step::kEvent ? steps[i].event.time : steps[i].t);
  }
  return t;
}

}  // namespace ccmon::core::test
