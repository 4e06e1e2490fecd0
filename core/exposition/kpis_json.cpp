#include "core/exposition/kpis_json.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/exposition/engine_families.hpp"
#include "core/exposition/json_number.hpp"
#include "core/exposition/rfc3339_format.hpp"
#include "core/kpi_parts.hpp"

namespace ccmon::core {
namespace {

using nlohmann::json;

json number(const KpiValue& v) {
  return v.value ? json_number(*v.value) : json(nullptr);
}

bool keep(const std::string& filter, const std::string& value) {
  return filter.empty() || filter == value;
}

// Indices of the snapshot windows the filter keeps, bounded by what a series
// or team carries (the lists should be parallel, but never read past one).
template <typename F>
void for_each_window(const Snapshot& snap, const KpiFilter& filter, std::size_t carried, F&& f) {
  const std::size_t n = std::min(snap.windows.size(), carried);
  for (std::size_t w = 0; w < n; ++w) {
    if (keep(filter.window, snap.windows[w])) f(w, snap.windows[w]);
  }
}

// The parts (core/kpi_parts.hpp) of the ratios and means a wallboard tile
// shows, so that a page merging several instances' feeds recomputes them
// from summed parts (docs/wallboard.md "Several instances"). The rest of a
// tile's ratios (abandon ratio) divide counts every window carries already.
constexpr std::array<std::string_view, 13> kTileParts = {
    "service_level_met",     "service_level_eligible",
    "answered_wait_seconds", "talk_time_seconds",
    "hold_time_seconds",     "after_contact_work_seconds",
    "first_responses",       "first_response_time_seconds",
    "csat_answers",          "csat_satisfied_answers",
    "nps_answers",           "nps_promoters",
    "nps_detractors"};

constexpr bool tile_part(std::string_view key) {
  return std::find(kTileParts.begin(), kTileParts.end(), key) != kTileParts.end();
}

// Every name in kTileParts is a part of the catalogue: a renamed part must
// not silently drop out of the feed.
constexpr bool tile_parts_known() {
  for (std::string_view key : kTileParts) {
    if (std::none_of(kKpiParts.begin(), kKpiParts.end(),
                     [&](const WindowKpiPart& p) { return p.info.key == key; })) {
      return false;
    }
  }
  return true;
}
static_assert(tile_parts_known());

json window_kpis(const WindowKpis& wk, const ServiceLevelFormula& sl) {
  json out = json::object();
  for (int k = 0; k < kKpiCount; ++k) {
    out[std::string(info(static_cast<Kpi>(k)).key)] = number(wk.kpis[static_cast<std::size_t>(k)]);
  }
  json deflected = json::object();
  for (const auto& [to_channel, n] : wk.deflected) deflected[to_channel] = n;
  out[std::string(engine_families::kDeflected.key)] = std::move(deflected);
  json parts = json::object();
  for (const WindowKpiPart& p : kKpiParts) {
    if (tile_part(p.info.key))
      parts[std::string(p.info.key)] = json_number(part_value(p, wk.sums, sl));
  }
  out["parts"] = std::move(parts);
  return out;
}

json series_json(const Snapshot& snap, const KpiFilter& filter, const SeriesSnapshot& s) {
  json live = json::object();
  for (int k = 0; k < kLiveKpiCount; ++k) {
    live[std::string(info(static_cast<LiveKpi>(k)).key)] =
        json_number(s.live[static_cast<std::size_t>(k)]);
  }
  json windows = json::object();
  for_each_window(snap, filter, s.windows.size(), [&](std::size_t w, const std::string& name) {
    windows[name] = window_kpis(s.windows[w], snap.service_level_formula);
  });
  json totals = json::object();
  for (const engine_families::SeriesCounter& c : engine_families::kSeriesCounters) {
    totals[std::string(c.json_key)] = s.*c.member;
  }
  return {
      {"queue", s.queue},
      {"channel", s.channel},
      {std::string(engine_families::kServiceLevelThreshold.key),
       json_number(s.service_level_threshold_s)},
      {"short_abandon_threshold_seconds", json_number(s.short_abandon_threshold_s)},
      {"live", std::move(live)},
      {"totals", std::move(totals)},
      {"windows", std::move(windows)},
  };
}

json team_json(const Snapshot& snap, const KpiFilter& filter, const TeamSnapshot& t) {
  json agents = json::object();
  for (int st = 0; st < kAgentStateCount; ++st) {
    agents[std::string(to_string(static_cast<AgentState>(st)))] =
        t.agents[static_cast<std::size_t>(st)];
  }
  json windows = json::object();
  for_each_window(snap, filter, t.windows.size(), [&](std::size_t w, const std::string& name) {
    json kpis = json::object();
    for (int k = 0; k < kTeamKpiCount; ++k) {
      kpis[std::string(info(static_cast<TeamKpi>(k)).key)] =
          number(t.windows[w][static_cast<std::size_t>(k)]);
    }
    // Every team part, named as on /metrics (core/kpi_parts.hpp), for the
    // same reason as the series' parts; zeros when the snapshot has no sums.
    json parts = json::object();
    for (const TeamKpiPart& p : kTeamKpiParts) {
      parts[std::string(p.info.key)] =
          w < t.sums.size() ? json_number(part_value(p, t.sums[w], snap.service_level_formula))
                            : json(0);
    }
    kpis["parts"] = std::move(parts);
    windows[name] = std::move(kpis);
  });
  return {{"team", t.team}, {"agents", std::move(agents)}, {"windows", std::move(windows)}};
}

json stats_json(const EngineStats& st) {
  json out = json::object();
  for (const engine_families::EngineStat& s : engine_families::kEngineStats) {
    out[std::string(s.info.key)] = st.*s.member;
  }
  json by_kind = json::object();
  for (const engine_families::KindCount& k : engine_families::kByteBoundEvictionKinds) {
    by_kind[std::string(k.kind)] = st.*k.member;
  }
  out[std::string(engine_families::kByteBoundEvictions.key)] = std::move(by_kind);
  return out;
}

}  // namespace

nlohmann::json kpis_json(const Snapshot& snapshot, const KpiFilter& filter) {
  json windows = json::array();
  for (const std::string& w : snapshot.windows) {
    if (keep(filter.window, w)) windows.push_back(w);
  }
  json series = json::array();
  for (const SeriesSnapshot& s : snapshot.series) {
    if (keep(filter.queue, s.queue) && keep(filter.channel, s.channel)) {
      series.push_back(series_json(snapshot, filter, s));
    }
  }
  json teams = json::array();
  for (const TeamSnapshot& t : snapshot.teams) teams.push_back(team_json(snapshot, filter, t));
  return {
      {"now", format_rfc3339(snapshot.now)}, {"windows", std::move(windows)},
      {"series", std::move(series)},         {"teams", std::move(teams)},
      {"stats", stats_json(snapshot.stats)},
  };
}

}  // namespace ccmon::core
