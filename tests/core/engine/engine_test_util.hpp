// Helpers for the engine tests: event builders, config and snapshot lookups.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/snapshot.hpp"

namespace ccmon::core::test {

// A round instant (2027-01-15T08:00:00Z), a multiple of every bucket width
// used here, so bucket edges fall on whole seconds from it.
inline constexpr Timestamp kT0 = seconds(1'800'000'000);
inline constexpr Timestamp at(double s) {
  return kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
}

struct Ev {
  Event e;
  Ev(EventType t, Timestamp time, std::string contact = "") {
    e.type = t;
    e.time = time;
    e.contact = std::move(contact);
  }
  Ev& queue(std::string v) { return e.queue = std::move(v), *this; }
  Ev& channel(std::string v) { return e.channel = std::move(v), *this; }
  Ev& agent(std::string v) { return e.agent = std::move(v), *this; }
  Ev& team(std::string v) { return e.team = std::move(v), *this; }
  Ev& case_id(std::string v) { return e.case_id = std::move(v), *this; }
  Ev& to_queue(std::string v) { return e.to_queue = std::move(v), *this; }
  Ev& to_agent(std::string v) { return e.to_agent = std::move(v), *this; }
  Ev& to_channel(std::string v) { return e.to_channel = std::move(v), *this; }
  Ev& automated(bool v) { return e.automated = v, *this; }
  Ev& score(double v) { return e.score = v, *this; }
  Ev& csat(int v) { return e.csat = v, *this; }
  Ev& nps(int v) { return e.nps = v, *this; }
  Ev& ces(int v) { return e.ces = v, *this; }
  Ev& contacts(std::int64_t v) { return e.contacts = v, *this; }
  Ev& state(AgentState v) { return e.state = v, *this; }
  operator const Event&() const { return e; }
};

// One 5-minute window and one hour, no "today" unless a test asks for it.
inline EngineConfig small_config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}, {"1h", hours(1)}};
  c.today_window = false;
  return c;
}

inline int window_index(const Snapshot& s, const std::string& w) {
  for (std::size_t i = 0; i < s.windows.size(); ++i)
    if (s.windows[i] == w) return static_cast<int>(i);
  FAIL("no window " << w);
  return -1;
}

inline const SeriesSnapshot* find_series(const Snapshot& s, const std::string& q,
                                         const std::string& ch) {
  for (const auto& x : s.series)
    if (x.queue == q && x.channel == ch) return &x;
  return nullptr;
}

inline KpiValue kpi(const Snapshot& s, const std::string& q, const std::string& ch,
                    const std::string& w, Kpi k) {
  const SeriesSnapshot* x = find_series(s, q, ch);
  if (x == nullptr) FAIL("no series " << q << "/" << ch);
  return x->windows[static_cast<std::size_t>(window_index(s, w))].kpis[static_cast<std::size_t>(k)];
}

inline std::optional<double> val(const Snapshot& s, const std::string& q, const std::string& ch,
                                 const std::string& w, Kpi k) {
  return kpi(s, q, ch, w, k).value;
}

inline const TeamSnapshot* find_team(const Snapshot& s, const std::string& t) {
  for (const auto& x : s.teams)
    if (x.team == t) return &x;
  return nullptr;
}

inline KpiValue team_kpi(const Snapshot& s, const std::string& team, const std::string& w,
                         TeamKpi k) {
  const TeamSnapshot* x = find_team(s, team);
  if (x == nullptr) FAIL("no team " << team);
  return x->windows[static_cast<std::size_t>(window_index(s, w))][static_cast<std::size_t>(k)];
}

// Queues contact `c` at `q`/`ch` at time tq and answers it at ta by `agent`.
inline void queue_answer(Engine& e, const std::string& c, const std::string& q,
                         const std::string& ch, double tq, double ta,
                         const std::string& agent = "a1") {
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(tq), c).queue(q).channel(ch)) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactAnswered, at(ta), c).agent(agent)) ==
          ApplyResult::kApplied);
}

// The answers `engine` (an Engine or a ShardedEngine) noted since the last
// take, as "queue/channel agent @time", in the order taken; each agent's
// hash must be its name's under the engine's key.
template <typename E>
std::vector<std::string> taken_answers(E& engine) {
  std::vector<std::string> out;
  const HashKey key = engine.hash_key();
  engine.take_answers([&](std::string_view queue, std::string_view channel, std::string_view agent,
                          std::uint64_t agent_hash, Timestamp t) {
    CHECK(agent_hash == keyed_hash(key, agent));
    out.push_back(std::string(queue) + "/" + std::string(channel) + " " + std::string(agent) +
                  " @" + std::to_string(t));
  });
  return out;
}

}  // namespace ccmon::core::test
