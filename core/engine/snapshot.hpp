// An immutable view of every KPI at one instant, produced by Engine::snapshot
// and read concurrently by /metrics, /v1/kpis and SLA evaluation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/event.hpp"
#include "core/kpi.hpp"
#include "core/time.hpp"

namespace ccmon::core {

// A KPI value and the volume behind it (the count it is computed over: the
// denominator of a ratio or mean, the count itself for counts). `value` is
// empty when undefined (nothing to divide by): absent from /metrics, null in JSON.
struct KpiValue {
  std::optional<double> value;
  double volume = 0;
};

struct WindowKpis {
  std::array<KpiValue, kKpiCount> kpis;
  std::vector<std::pair<std::string, std::uint64_t>> deflected;  // by to_channel, sorted
};

struct Histogram {
  std::vector<std::uint64_t> cumulative_counts;  // per Snapshot::wait_bucket_bounds
  std::uint64_t count = 0;
  double sum = 0;  // seconds
};

struct SeriesSnapshot {
  std::string queue;
  std::string channel;
  double service_level_threshold_s = 20;
  double short_abandon_threshold_s = 5;
  std::vector<WindowKpis> windows;  // parallel to Snapshot::windows

  std::array<double, kLiveKpiCount> live{};  // indexed by LiveKpi

  // Since start (counters).
  std::uint64_t offered_total = 0;
  std::uint64_t answered_total = 0;
  std::uint64_t abandoned_total = 0;
  std::uint64_t handled_total = 0;
  Histogram wait_answered;
  Histogram wait_abandoned;
};

struct TeamSnapshot {
  std::string team;
  std::array<std::uint64_t, kAgentStateCount> agents{};      // agents now, by AgentState
  std::vector<std::array<KpiValue, kTeamKpiCount>> windows;  // parallel to Snapshot::windows
};

struct Snapshot {
  Timestamp now = 0;
  std::vector<std::string> windows;        // "5m", "15m", "1h", "24h", "today"
  std::vector<double> wait_bucket_bounds;  // seconds, ascending; include every SL threshold
  std::vector<SeriesSnapshot> series;      // sorted by (queue, channel)
  std::vector<TeamSnapshot> teams;         // sorted by team
  EngineStats stats;
};

}  // namespace ccmon::core
