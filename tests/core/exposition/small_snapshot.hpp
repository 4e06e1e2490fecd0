// A small hand-built snapshot shared by the exposition tests: two series, two
// windows, one team, undefined KPIs, a deflection and wait histograms. Only a
// few KPIs are set; every other one is undefined, which keeps the expected
// outputs short enough to write by hand. The window sums behind them are set
// to agree (the parts of core/kpi_parts.hpp come from those).
#pragma once

#include "core/engine/snapshot.hpp"

namespace ccmon::core::testing {

inline KpiValue defined(double value, double volume) {
  return {value, volume};
}

inline Snapshot small_snapshot() {
  Snapshot snap;
  // 2026-11-22T09:15:02.123456Z: 20779 days * 86400 s + 9*3600 + 15*60 + 2 s
  // = 1795305600 + 33302 = 1795338902 s (see rfc3339_format_test.cpp).
  snap.now = 1'795'338'902'123'456;
  snap.windows = {"5m", "1h"};
  snap.wait_bucket_bounds = {0.5, 20, 60};

  SeriesSnapshot sales;
  sales.queue = "sales";
  sales.channel = "voice";
  sales.service_level_threshold_s = 20;
  sales.short_abandon_threshold_s = 5;
  sales.windows.resize(2);
  auto& s5 = sales.windows[0];
  s5.kpis[static_cast<int>(Kpi::kOffered)] = defined(3, 3);
  s5.kpis[static_cast<int>(Kpi::kAnswered)] = defined(2, 2);
  s5.kpis[static_cast<int>(Kpi::kServiceLevelRatio)] = defined(0.5, 2);
  // Default formula: answered within T / (answered + abandoned - short) = 1/2.
  s5.sums[window_fields::kOffered] = 3;
  s5.sums[window_fields::kAnswered] = 2;
  s5.sums[window_fields::kAnsweredWithin] = 1;
  s5.deflected = {{"messaging", 1}};
  auto& s60 = sales.windows[1];
  s60.kpis[static_cast<int>(Kpi::kOffered)] = defined(10, 10);
  s60.kpis[static_cast<int>(Kpi::kAnswered)] = defined(8, 8);
  s60.kpis[static_cast<int>(Kpi::kServiceLevelRatio)] = defined(0.75, 8);
  s60.sums[window_fields::kOffered] = 10;
  s60.sums[window_fields::kAnswered] = 8;
  s60.sums[window_fields::kAnsweredWithin] = 6;  // 6/8
  sales.live = {2, 31.5, 4, 0};
  sales.offered_total = 10;
  sales.answered_total = 8;
  sales.abandoned_total = 1;
  sales.short_abandoned_total = 1;
  sales.overflowed_total = 2;
  sales.handled_total = 7;
  sales.wait_answered = {{1, 6, 8}, 8, 95.5};
  sales.wait_abandoned = {{0, 0, 1}, 1, 42};

  SeriesSnapshot support;
  support.queue = "support";
  support.channel = "chat";
  support.service_level_threshold_s = 60;
  support.short_abandon_threshold_s = 0.5;
  support.windows.resize(2);
  auto& c5 = support.windows[0];
  c5.kpis[static_cast<int>(Kpi::kOffered)] = defined(0, 0);
  c5.kpis[static_cast<int>(Kpi::kAnswered)] = defined(0, 0);
  // service level undefined in 5m: nothing answered or abandoned.
  auto& c60 = support.windows[1];
  c60.kpis[static_cast<int>(Kpi::kOffered)] = defined(4, 4);
  c60.kpis[static_cast<int>(Kpi::kAnswered)] = defined(3, 3);
  c60.kpis[static_cast<int>(Kpi::kServiceLevelRatio)] = defined(1, 3);
  c60.sums[window_fields::kOffered] = 4;
  c60.sums[window_fields::kAnswered] = 3;
  c60.sums[window_fields::kAnsweredWithin] = 3;  // 3/3
  support.live = {0, 0, 1, 2};
  support.offered_total = 4;
  support.answered_total = 3;
  support.abandoned_total = 0;
  support.handled_total = 3;
  support.wait_answered = {{1, 2, 3}, 3, 25.25};
  support.wait_abandoned = {{0, 0, 0}, 0, 0};

  snap.series = {sales, support};

  TeamSnapshot team;
  team.team = "a";
  team.agents = {1, 2, 0, 0, 3};  // available, busy, wrap_up, away, offline
  team.windows.resize(2);
  team.windows[0][static_cast<int>(TeamKpi::kOccupancyRatio)] = defined(0.625, 1);
  team.windows[1][static_cast<int>(TeamKpi::kOccupancyRatio)] = defined(0.5, 1);
  team.windows[1][static_cast<int>(TeamKpi::kContactsPerAgentHour)] = defined(7.5, 2);
  team.windows[1][static_cast<int>(TeamKpi::kAverageTimeBetweenContacts)] = defined(42, 5);
  // Time in us. 5m: (40 + 10) / (30 + 40 + 10) s = 0.625 (contacts per hour
  // left undefined: no handled contact, so no ccmon_team_handled sample).
  // 1h: (2400 + 1200) / 7200 s = 0.5; 15 handled in 2 h = 7.5 an hour; 210 s
  // between contacts over 5 intervals = 42 s.
  team.sums.resize(2);
  team.sums[0][window_fields::kTimeAvailable] = 30'000'000;
  team.sums[0][window_fields::kTimeBusy] = 40'000'000;
  team.sums[0][window_fields::kTimeWrapUp] = 10'000'000;
  team.sums[1][window_fields::kTimeAvailable] = 3'600'000'000;
  team.sums[1][window_fields::kTimeBusy] = 2'400'000'000;
  team.sums[1][window_fields::kTimeWrapUp] = 1'200'000'000;
  team.sums[1][window_fields::kTeamHandled] = 15;
  team.sums[1][window_fields::kBetweenContactsCount] = 5;
  team.sums[1][window_fields::kBetweenContactsSum] = 210'000'000;
  snap.teams = {team};

  snap.stats.tracked_contacts = 12;
  snap.stats.tracked_cases = 2;
  snap.stats.tracked_agents = 6;
  snap.stats.out_of_sequence_total = 1;
  snap.stats.evicted_contacts_total = 3;
  snap.stats.evicted_cases_total = 0;
  snap.stats.evicted_agents_total = 4;
  snap.stats.series_folded_total = 0;
  snap.stats.tracked_state_bytes = 5120;
  snap.stats.held_events = 3;
  snap.stats.held_events_evicted_total = 1;
  snap.stats.contact_byte_bound_evictions_total = 2;
  snap.stats.case_byte_bound_evictions_total = 0;
  snap.stats.agent_byte_bound_evictions_total = 1;
  return snap;
}

}  // namespace ccmon::core::testing
