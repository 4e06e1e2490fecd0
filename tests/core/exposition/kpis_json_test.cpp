#include "core/exposition/kpis_json.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "tests/core/exposition/small_snapshot.hpp"

namespace ccmon::core {
namespace {

using nlohmann::json;

// The parts a series window carries (docs/wallboard.md "Several
// instances"), written out here rather than taken from the code's list.
json zero_parts() {
  return json::parse(R"({
    "service_level_met": 0, "service_level_eligible": 0, "answered_wait_seconds": 0,
    "talk_time_seconds": 0, "hold_time_seconds": 0, "after_contact_work_seconds": 0,
    "first_responses": 0, "first_response_time_seconds": 0, "csat_answers": 0,
    "csat_satisfied_answers": 0, "nps_answers": 0, "nps_promoters": 0, "nps_detractors": 0})");
}

// A window object with every KPI key null, no deflection and zero parts, to
// which a test adds the values it set in the small snapshot ("parts": only
// the non-zero ones).
json window_with(const json& values) {
  json w = json::object();
  for (int k = 0; k < kKpiCount; ++k) w[std::string(info(static_cast<Kpi>(k)).key)] = nullptr;
  w["deflected"] = json::object();
  w["parts"] = zero_parts();
  for (const auto& [key, value] : values.items()) {
    REQUIRE(w.contains(key));  // a typo in the test must not add a key
    if (key == "parts") {
      for (const auto& [part, n] : value.items()) {
        REQUIRE(w["parts"].contains(part));
        w["parts"][part] = n;
      }
    } else {
      w[key] = value;
    }
  }
  return w;
}

json expected_sales(bool with_5m, bool with_1h) {
  json s = json::parse(R"({
    "queue": "sales", "channel": "voice",
    "service_level_threshold_seconds": 20, "short_abandon_threshold_seconds": 5,
    "live": {"contacts_waiting": 2, "oldest_waiting_seconds": 31.5,
             "contacts_active": 4, "cases_active": 0},
    "totals": {"offered": 10, "answered": 8, "abandoned": 1, "short_abandoned": 1,
               "overflowed": 2, "handled": 7},
    "windows": {}
  })");
  if (with_5m) {
    s["windows"]["5m"] = window_with(json::parse(
        R"({"offered": 3, "answered": 2, "service_level_ratio": 0.5, "deflected": {"messaging": 1},
            "parts": {"service_level_met": 1, "service_level_eligible": 2}})"));
  }
  if (with_1h) {
    s["windows"]["1h"] =
        window_with(json::parse(R"({"offered": 10, "answered": 8, "service_level_ratio": 0.75,
                                    "parts": {"service_level_met": 6, "service_level_eligible": 8}})"));
  }
  return s;
}

json expected_support(bool with_5m, bool with_1h) {
  json s = json::parse(R"({
    "queue": "support", "channel": "chat",
    "service_level_threshold_seconds": 60, "short_abandon_threshold_seconds": 0.5,
    "live": {"contacts_waiting": 0, "oldest_waiting_seconds": 0,
             "contacts_active": 1, "cases_active": 2},
    "totals": {"offered": 4, "answered": 3, "abandoned": 0, "short_abandoned": 0,
               "overflowed": 0, "handled": 3},
    "windows": {}
  })");
  // 5m service level is undefined: stays null.
  if (with_5m) s["windows"]["5m"] = window_with(json::parse(R"({"offered": 0, "answered": 0})"));
  if (with_1h) {
    s["windows"]["1h"] =
        window_with(json::parse(R"({"offered": 4, "answered": 3, "service_level_ratio": 1,
                                    "parts": {"service_level_met": 3, "service_level_eligible": 3}})"));
  }
  return s;
}

json expected_team(bool with_5m, bool with_1h) {
  json t = json::parse(R"({
    "team": "a",
    "agents": {"available": 1, "busy": 2, "wrap_up": 0, "away": 0, "offline": 3},
    "windows": {}
  })");
  if (with_5m) {
    t["windows"]["5m"] = json::parse(
        R"({"occupancy_ratio": 0.625, "contacts_per_agent_hour": null,
            "average_time_between_contacts_seconds": null,
            "parts": {"team_staffed_seconds": 80, "team_occupied_seconds": 50, "team_handled": 0,
                      "team_between_contacts": 0, "team_between_contacts_seconds": 0}})");
  }
  if (with_1h) {
    t["windows"]["1h"] = json::parse(
        R"({"occupancy_ratio": 0.5, "contacts_per_agent_hour": 7.5,
            "average_time_between_contacts_seconds": 42,
            "parts": {"team_staffed_seconds": 7200, "team_occupied_seconds": 3600,
                      "team_handled": 15, "team_between_contacts": 5,
                      "team_between_contacts_seconds": 210}})");
  }
  return t;
}

const json kStats = json::parse(R"({
  "tracked_contacts": 12, "tracked_cases": 2, "tracked_agents": 6, "tracked_state_bytes": 5120,
  "events_out_of_sequence_total": 1, "evicted_contacts_total": 3,
  "evicted_cases_total": 0, "evicted_agents_total": 4, "series_folded_total": 0,
  "held_events": 3, "held_events_evicted_total": 1,
  "byte_bound_evictions_total": {"contact": 2, "case": 0, "agent": 1}
})");

TEST_CASE("kpis_json without filter holds every series, team and window") {
  const json expected = {
      {"now", "2026-11-22T09:15:02.123Z"},
      {"windows", {"5m", "1h"}},
      {"series", {expected_sales(true, true), expected_support(true, true)}},
      {"teams", {expected_team(true, true)}},
      {"stats", kStats},
  };
  const json got = kpis_json(testing::small_snapshot(), {});
  CHECK(got == expected);
  // Every KPI key of every window is present: 33 KPIs + "deflected" + "parts".
  CHECK(got["series"][0]["windows"]["5m"].size() == static_cast<std::size_t>(kKpiCount) + 2);
}

TEST_CASE("kpis_json writes counts as integers and undefined values as null") {
  const json got = kpis_json(testing::small_snapshot(), {});
  const json& w = got["series"][0]["windows"]["5m"];
  CHECK(w["offered"].dump() == "3");  // not 3.0
  CHECK(w["service_level_ratio"].dump() == "0.5");
  CHECK(w["average_handle_time_seconds"].is_null());
  CHECK(got["series"][1]["windows"]["5m"]["service_level_ratio"].is_null());
  CHECK(got["series"][1]["windows"]["1h"]["service_level_ratio"].dump() == "1");
}

TEST_CASE("kpis_json filters") {
  const Snapshot snap = testing::small_snapshot();
  struct Case {
    const char* name;
    KpiFilter filter;
    json expected;
  };
  const Case cases[] = {
      {"queue keeps teams",
       {"sales", "", ""},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", {"5m", "1h"}},
        {"series", {expected_sales(true, true)}},
        {"teams", {expected_team(true, true)}},
        {"stats", kStats}}},
      {"channel",
       {"", "chat", ""},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", {"5m", "1h"}},
        {"series", {expected_support(true, true)}},
        {"teams", {expected_team(true, true)}},
        {"stats", kStats}}},
      {"queue and channel that match no series together",
       {"sales", "chat", ""},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", {"5m", "1h"}},
        {"series", json::array()},
        {"teams", {expected_team(true, true)}},
        {"stats", kStats}}},
      {"window applies to series, teams and the list",
       {"", "", "1h"},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", {"1h"}},
        {"series", {expected_sales(false, true), expected_support(false, true)}},
        {"teams", {expected_team(false, true)}},
        {"stats", kStats}}},
      {"unknown window leaves empty window objects",
       {"", "", "2h"},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", json::array()},
        {"series", {expected_sales(false, false), expected_support(false, false)}},
        {"teams", {expected_team(false, false)}},
        {"stats", kStats}}},
      {"exact match only: no prefix match",
       {"sale", "", ""},
       {{"now", "2026-11-22T09:15:02.123Z"},
        {"windows", {"5m", "1h"}},
        {"series", json::array()},
        {"teams", {expected_team(true, true)}},
        {"stats", kStats}}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(kpis_json(snap, c.filter) == c.expected);
  }
}

TEST_CASE("kpis_json turns non-finite numbers into null") {
  Snapshot snap = testing::small_snapshot();
  snap.series[0].windows[0].kpis[static_cast<int>(Kpi::kNps)] = {
      std::numeric_limits<double>::quiet_NaN(), 1};
  snap.series[0].live[static_cast<int>(LiveKpi::kOldestWaiting)] =
      std::numeric_limits<double>::infinity();
  const json got = kpis_json(snap, {});
  CHECK(got["series"][0]["windows"]["5m"]["nps"].is_null());
  CHECK(got["series"][0]["live"]["oldest_waiting_seconds"].is_null());
  CHECK(got["series"][0]["live"]["contacts_waiting"] == 2);
}

}  // namespace
}  // namespace ccmon::core
