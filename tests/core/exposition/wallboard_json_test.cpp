// /v1/agents and /v1/intervals (docs/wallboard.md) from a real engine: an
// agent's time in state, handled and AHT today, paging, and fixed intervals
// in Europe/Paris across both 2026 DST changes. Values computed by hand.
#include "core/exposition/wallboard_json.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/engine/engine.hpp"
#include "core/exposition/rfc3339_format.hpp"

using namespace ccmon::core;
using nlohmann::json;

namespace {

// 2026-11-30T10:00:00Z: a Monday, hours after any DST change.
constexpr Timestamp kMorning = seconds(1'796'032'800);
Timestamp at(Timestamp base, double s) {
  return base + static_cast<Timestamp>(s * kMicrosPerSecond);
}

// Europe/Paris around 2026: CET (+1) until 2026-03-29T01:00Z, CEST (+2)
// until 2026-10-25T01:00Z, then CET again (IANA tzdata).
TimeZone paris() {
  TimeZone tz;
  tz.name = "Europe/Paris";
  tz.initial_offset_s = 3600;
  tz.transitions = {{seconds(1'774'746'000), 7200}, {seconds(1'792'890'000), 3600}};
  return tz;
}

Event make(EventType type, Timestamp t, std::string contact = "") {
  Event e;
  e.type = type;
  e.time = t;
  e.contact = std::move(contact);
  return e;
}
Event state(std::string agent, AgentState s, Timestamp t, std::string team = "") {
  Event e = make(EventType::kAgentState, t);
  e.agent = std::move(agent);
  e.state = s;
  e.team = std::move(team);
  return e;
}
Event queued(std::string c, Timestamp t) {
  Event e = make(EventType::kContactQueued, t, std::move(c));
  e.queue = "sales";
  e.channel = "voice";
  return e;
}
Event answered(std::string c, std::string agent, Timestamp t) {
  Event e = make(EventType::kContactAnswered, t, std::move(c));
  e.agent = std::move(agent);
  return e;
}

void apply(Engine& e, const Event& ev) {
  REQUIRE(e.apply(ev) == ApplyResult::kApplied);
}

EngineConfig config(TimeZone tz = {}) {
  EngineConfig c;
  c.windows = {{"15m", minutes(15)}};
  c.time_zone = std::move(tz);
  return c;
}

}  // namespace

TEST_CASE("an agent's time in state, handled and AHT today", "[exposition][wallboard][agents]") {
  Engine e(config());
  const Timestamp t0 = kMorning;
  // bob: available at 0, answers c1 at 30 (busy), c1 ends at 130 (talk 100 s),
  // wrap-up until 160 (ACW 30 s), available, answers c2 at 200, talking at 260.
  apply(e, state("bob", AgentState::kAvailable, t0, "north"));
  apply(e, queued("c1", at(t0, 20)));
  apply(e, answered("c1", "bob", at(t0, 30)));
  apply(e, state("bob", AgentState::kBusy, at(t0, 30)));
  apply(e, make(EventType::kContactEnded, at(t0, 130), "c1"));
  apply(e, state("bob", AgentState::kWrapUp, at(t0, 130)));
  apply(e, make(EventType::kContactWrapped, at(t0, 160), "c1"));
  apply(e, state("bob", AgentState::kAvailable, at(t0, 160)));
  apply(e, queued("c2", at(t0, 190)));
  apply(e, answered("c2", "bob", at(t0, 200)));
  apply(e, state("bob", AgentState::kBusy, at(t0, 200)));
  // ann (south) is away since 10: listed first ("ann" < "bob", bytewise).
  apply(e, state("ann", AgentState::kAway, at(t0, 10), "south"));

  const auto snap = e.snapshot(at(t0, 260));
  const json page = agents_page_json(*snap, {});
  REQUIRE(page["total"] == 2);
  CHECK(page["next"].is_null());
  REQUIRE(page["agents"].size() == 2);
  CHECK(page["agents"][0]["agent"] == "ann");
  const json& bob = page["agents"][1];
  CHECK(bob["agent"] == "bob");
  CHECK(bob["team"] == "north");
  CHECK(bob["state"] == "busy");
  // Time in state: now - state_since = 260 - 200 = 60 s.
  CHECK(bob["state_since"] == format_rfc3339(at(t0, 200)));
  CHECK(bob["contact"]["contact"] == "c2");
  CHECK(bob["contact"]["queue"] == "sales");
  CHECK(bob["contact"]["answered_at"] == format_rfc3339(at(t0, 200)));
  CHECK(bob["today"]["handled"] == 1);
  CHECK(bob["today"]["average_handle_time_seconds"] == 130);  // 100 talk + 30 ACW
  // available 30 + 40, busy 100 + 60 (ongoing), wrap-up 30: 190 / 260.
  CHECK(bob["today"]["occupancy_ratio"].get<double>() == Approx(190.0 / 260));
  CHECK(page["agents"][0]["today"]["occupancy_ratio"].is_null());  // away only

  // Paging and the team filter.
  const json first = agents_page_json(*snap, {"", "", 1});
  CHECK(first["agents"].size() == 1);
  CHECK(first["next"] == "ann");
  const json second = agents_page_json(*snap, {"", "ann", 1});
  CHECK(second["agents"][0]["agent"] == "bob");
  CHECK(second["next"].is_null());
  const json north = agents_page_json(*snap, {"north", "", 500});
  CHECK(north["total"] == 1);
  CHECK(north["agents"][0]["agent"] == "bob");
}

TEST_CASE("the agents' day restarts at the local day's start", "[exposition][wallboard][agents]") {
  Engine e(config(paris()));
  // Paris, 2026-11-30 (CET): bob handles c1 at 23:00-23:10 local
  // (22:00-22:10Z), then is available; the day rolls at 23:00Z.
  const Timestamp t = seconds(1'796'076'000);  // 2026-11-30T22:00:00Z
  apply(e, state("bob", AgentState::kAvailable, at(t, -60), "north"));
  apply(e, queued("c1", at(t, -5)));
  apply(e, answered("c1", "bob", t));
  apply(e, make(EventType::kContactEnded, at(t, 600), "c1"));
  apply(e, make(EventType::kContactWrapped, at(t, 600), "c1"));
  auto page = agents_page_json(*e.snapshot(at(t, 900)), {});
  CHECK(page["agents"][0]["today"]["handled"] == 1);
  CHECK(page["agents"][0]["today"]["average_handle_time_seconds"] == 600);
  // 00:10 local on 2026-12-01: nothing handled yet today; 600 s available
  // since midnight local.
  e.advance(at(t, 4200));
  page = agents_page_json(*e.snapshot(at(t, 4200)), {});
  CHECK(page["agents"][0]["today"]["handled"] == 0);
  CHECK(page["agents"][0]["today"]["average_handle_time_seconds"].is_null());
  CHECK(page["agents"][0]["today"]["occupancy_ratio"] == 0);
}

TEST_CASE("intervals on the spring-forward day in Europe/Paris: 92 quarter-hours",
          "[exposition][wallboard][intervals][dst]") {
  Engine e(config(paris()));
  // 2026-03-29: 00:00 local is 2026-03-28T23:00Z; 02:00 CET jumps to 03:00 CEST
  // at 01:00Z. c1 queued at 01:59 local (00:59Z), c2 at 03:00 local (01:00Z).
  const Timestamp day = seconds(1'774'738'800);  // 2026-03-28T23:00:00Z
  apply(e, queued("c1", at(day, 2 * 3600 - 60)));
  apply(e, queued("c2", at(day, 2 * 3600)));
  const auto snap = e.snapshot(at(day, 23 * 3600 - 60));  // 23:59 CEST
  const json j = intervals_json(*snap, minutes(15));
  CHECK(j["day"] == "2026-03-29");
  CHECK(j["time_zone"] == "Europe/Paris");
  CHECK(j["interval_seconds"] == 900);
  const json& rows = j["series"][0]["intervals"];
  REQUIRE(rows.size() == 92);
  CHECK(rows[0]["start"] == "2026-03-29T00:00:00+01:00");
  CHECK(rows[7]["start"] == "2026-03-29T01:45:00+01:00");
  CHECK(rows[7]["offered"] == 1);  // c1
  CHECK(rows[8]["start"] == "2026-03-29T03:00:00+02:00");
  CHECK(rows[8]["offered"] == 1);  // c2
  CHECK(rows[91]["start"] == "2026-03-29T23:45:00+02:00");
  const json hourly = intervals_json(*snap, hours(1));
  const json& h = hourly["series"][0]["intervals"];
  REQUIRE(h.size() == 23);
  CHECK(h[1]["start"] == "2026-03-29T01:00:00+01:00");
  CHECK(h[1]["offered"] == 1);
  CHECK(h[2]["start"] == "2026-03-29T03:00:00+02:00");
  CHECK(h[2]["offered"] == 1);
}

TEST_CASE("intervals on the fall-back day in Europe/Paris: 100 quarter-hours",
          "[exposition][wallboard][intervals][dst]") {
  Engine e(config(paris()));
  // 2026-10-25: 00:00 local is 2026-10-24T22:00Z; 03:00 CEST falls back to
  // 02:00 CET at 01:00Z, so 02:00-03:00 local happens twice.
  const Timestamp day = seconds(1'792'879'200);           // 2026-10-24T22:00:00Z
  apply(e, queued("c1", at(day, 2 * 3600 + 600)));        // 02:10 CEST (first)
  apply(e, queued("c2", at(day, 3 * 3600 + 600)));        // 02:10 CET (second)
  const auto snap = e.snapshot(at(day, 25 * 3600 - 60));  // 23:59 CET
  const json j = intervals_json(*snap, minutes(15));
  CHECK(j["day"] == "2026-10-25");
  const json& rows = j["series"][0]["intervals"];
  REQUIRE(rows.size() == 100);
  CHECK(rows[8]["start"] == "2026-10-25T02:00:00+02:00");
  CHECK(rows[8]["offered"] == 1);
  CHECK(rows[11]["start"] == "2026-10-25T02:45:00+02:00");
  CHECK(rows[12]["start"] == "2026-10-25T02:00:00+01:00");
  CHECK(rows[12]["offered"] == 1);
  CHECK(rows[99]["start"] == "2026-10-25T23:45:00+01:00");
  // The next local day starts at 2026-10-25T23:00Z, with empty intervals.
  const auto next = e.snapshot(at(day, 25 * 3600 + 60));
  const json k = intervals_json(*next, minutes(15));
  CHECK(k["day"] == "2026-10-26");
  CHECK(k["series"][0]["intervals"].size() == 1);
  CHECK(k["series"][0]["intervals"][0]["offered"] == 0);
}

TEST_CASE("interval service level and ASA follow the configured formula",
          "[exposition][wallboard][intervals]") {
  EngineConfig c = config();
  c.service_level_formula = ServiceLevelFormula::kAnsweredOnly;
  Engine e(c);
  const Timestamp t0 = kMorning;  // 10:00Z: row 40 of the UTC day
  apply(e, queued("c1", t0));
  apply(e, answered("c1", "a", at(t0, 10)));  // within 20 s
  apply(e, queued("c2", at(t0, 60)));
  apply(e, answered("c2", "a", at(t0, 120)));  // 60 s
  apply(e, queued("c3", at(t0, 130)));
  apply(e, make(EventType::kContactAbandoned, at(t0, 160), "c3"));
  const json j = intervals_json(*e.snapshot(at(t0, 200)), minutes(15));
  const json& row = j["series"][0]["intervals"][40];
  CHECK(row["start"] == "2026-11-30T10:00:00+00:00");
  CHECK(row["offered"] == 3);
  CHECK(row["answered"] == 2);
  CHECK(row["abandoned"] == 1);
  CHECK(row["service_level_ratio"].get<double>() == Approx(0.5));  // 1 / 2 answered
  CHECK(row["service_level_volume"] == 2);
  CHECK(row["average_speed_of_answer_seconds"] == 35);
}

TEST_CASE("interval lengths: the configured one or a multiple dividing an hour",
          "[exposition][wallboard][intervals]") {
  CHECK(interval_length("15m", minutes(15)) == minutes(15));
  CHECK(interval_length("30m", minutes(15)) == minutes(30));
  CHECK(interval_length("60m", minutes(15)) == hours(1));
  CHECK(interval_length("1h", minutes(30)) == hours(1));
  CHECK_FALSE(interval_length("15m", minutes(30)).has_value());
  CHECK_FALSE(interval_length("45m", minutes(15)).has_value());
  CHECK_FALSE(interval_length("", minutes(15)).has_value());
  CHECK_FALSE(interval_length("2h", minutes(15)).has_value());
}
