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

// A series window's totals by window_fields::Field (counts; durations in us).
using WindowSums = std::array<std::int64_t, window_fields::kFieldCount>;

struct WindowKpis {
  std::array<KpiValue, kKpiCount> kpis;
  // What `kpis` is computed from: /metrics exports the parts of the ratios
  // from it (core/kpi_parts.hpp), shards add it up.
  WindowSums sums{};
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
  std::uint64_t short_abandoned_total = 0;  // wait < the short-abandon threshold
  std::uint64_t overflowed_total = 0;
  std::uint64_t handled_total = 0;
  Histogram wait_answered;
  Histogram wait_abandoned;
};

// A team window's totals by TeamField: time in state (us, the ongoing
// intervals up to the snapshot included), handled, time between contacts.
using TeamSums = std::array<std::int64_t, window_fields::kTeamFieldCount>;

struct TeamSnapshot {
  std::string team;
  std::array<std::uint64_t, kAgentStateCount> agents{};      // agents now, by AgentState
  std::vector<std::array<KpiValue, kTeamKpiCount>> windows;  // parallel to Snapshot::windows
  // What `windows` is computed from, parallel to it: shards add these up
  // (sharded_engine.hpp) and evaluate the sum with team_window_kpis.
  std::vector<TeamSums> sums;
};

// The team KPIs of a window's totals, by the formulas of the KPI catalogue
// (core/kpi.hpp kTeamKpis, docs/kpis.md). Pure; thread-safe.
std::array<KpiValue, kTeamKpiCount> team_window_kpis(const TeamSums& sums);

// One tracked agent now (/v1/agents, docs/wallboard.md). Times are instants
// (us since the epoch) so that a client ticks them; kNever-free: fields that
// may be absent are optional.
struct AgentSnapshot {
  std::string agent;
  std::optional<std::string> team;  // null: never named
  AgentState state = AgentState::kOffline;
  std::optional<std::string> reason;     // the latest agent.state's reason
  std::optional<Timestamp> state_since;  // null: no agent.state seen yet
  struct Contact {
    std::string contact, queue, channel;
    Timestamp answered_at = 0;
  };
  std::optional<Contact> contact;  // the contact it is handling now
  // Since the start of the local day (zero with no today window): segments
  // handled, their handle time, and time available / busy / in wrap-up,
  // the current state's ongoing part included (seconds).
  std::uint64_t handled_today = 0;
  double handle_seconds_today = 0;
  double available_seconds_today = 0, busy_seconds_today = 0, wrap_up_seconds_today = 0;
};

// Counts of one fixed interval of a series (the fields its service level,
// under any formula, and its ASA need). Wait sum in seconds.
struct IntervalCounts {
  std::uint64_t offered = 0, answered = 0, abandoned = 0, overflowed = 0;
  std::uint64_t answered_within = 0, abandoned_within = 0, short_abandoned = 0;
  double wait_answered_seconds = 0;

  // Field by field: intervals joined into a longer one, shards' rows merged.
  IntervalCounts& operator+=(const IntervalCounts& c) {
    offered += c.offered;
    answered += c.answered;
    abandoned += c.abandoned;
    overflowed += c.overflowed;
    answered_within += c.answered_within;
    abandoned_within += c.abandoned_within;
    short_abandoned += c.short_abandoned;
    wait_answered_seconds += c.wait_answered_seconds;
    return *this;
  }
};
struct IntervalSeries {
  std::string queue, channel;
  double service_level_threshold_s = 20;
  std::vector<IntervalCounts> rows;  // parallel to IntervalDay::starts
};
// Today's fixed intervals by `step` from the local day's start, every one
// up to and including the one holding `now` (none before the day started).
struct IntervalDay {
  bool enabled = false;         // the today window is on and a day started
  Timestamp day_start = 0;      // UTC instant; its local date names the day
  std::string time_zone;        // IANA name
  Duration step = 0;            // the stored rows' length (15 min)
  Duration default_length = 0;  // the configured interval (15 or 30 min)
  ServiceLevelFormula formula = ServiceLevelFormula::kDefault;
  std::vector<Timestamp> starts;          // each row's start (UTC instant)
  std::vector<std::int32_t> utc_offsets;  // the zone's offset at each start, s
  std::vector<IntervalSeries> series;     // sorted by (queue, channel)
};

struct Snapshot {
  Timestamp now = 0;
  std::vector<std::string> windows;        // "5m", "15m", "1h", "24h", "today"
  std::vector<double> wait_bucket_bounds;  // seconds, ascending; include every SL threshold
  // The formula of every series' service_level_ratio (and of its parts).
  ServiceLevelFormula service_level_formula = ServiceLevelFormula::kDefault;
  std::vector<SeriesSnapshot> series;  // sorted by (queue, channel)
  std::vector<TeamSnapshot> teams;     // sorted by team
  std::vector<AgentSnapshot> agents;   // every tracked agent, sorted by id (bytewise)
  IntervalDay intervals;
  EngineStats stats;
};

}  // namespace ccmon::core
