// The families of a snapshot that are not KPIs of the catalogue
// (core/kpi.hpp), with their HELP texts, as tables that /metrics
// (snapshot_text.cpp) and /v1/kpis (kpis_json.cpp) both read.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/engine/snapshot.hpp"
#include "core/kpi.hpp"

namespace ccmon::core::engine_families {

inline constexpr KpiInfo kDeflected{
    "deflected", "Contacts deflected to another channel in the window, by to_channel."};
inline constexpr KpiInfo kServiceLevelThreshold{
    "service_level_threshold_seconds",
    "Service-level threshold T of the queue and channel: a contact answered after waiting at "
    "most T is within service level.",
    Unit::kSeconds};
inline constexpr KpiInfo kAgents{"agents", "Agents of the team in each state now."};
inline constexpr KpiInfo kWaitSeconds{
    "wait_seconds", "Wait of answered and abandoned contacts since start, by outcome.",
    Unit::kSeconds};

// Since-start counters per queue x channel: `ccmon_<key>` in /metrics,
// "totals": {"<json_key>": n} in /v1/kpis.
struct SeriesCounter {
  KpiInfo info;
  std::string_view json_key;
  std::uint64_t SeriesSnapshot::*member;
};
inline constexpr std::array<SeriesCounter, 6> kSeriesCounters = {{
    {{"contacts_offered_total", "Contacts offered to the queue since start."},
     "offered",
     &SeriesSnapshot::offered_total},
    {{"contacts_answered_total", "Contacts answered by an agent since start."},
     "answered",
     &SeriesSnapshot::answered_total},
    {{"contacts_abandoned_total",
      "Contacts abandoned while waiting since start, short abandons included."},
     "abandoned",
     &SeriesSnapshot::abandoned_total},
    // With the wait histogram these make the service level exact in PromQL:
    // a short abandon is wait < S where a bucket is wait <= le
    // (docs/metrics.md "Service level in PromQL").
    {{"contacts_short_abandoned_total",
      "Contacts abandoned before the short-abandon threshold since start."},
     "short_abandoned",
     &SeriesSnapshot::short_abandoned_total},
    {{"contacts_overflowed_total",
      "Contacts removed from the queue by routing without an agent since start."},
     "overflowed",
     &SeriesSnapshot::overflowed_total},
    {{"contacts_handled_total",
      "Contacts whose handling (talk, hold, after-contact work) completed since start."},
     "handled",
     &SeriesSnapshot::handled_total},
}};

// The engine's own state, unlabelled: the same key in /metrics and in
// /v1/kpis "stats".
struct EngineStat {
  KpiInfo info;
  bool counter;  // else a gauge
  std::uint64_t EngineStats::*member;
};
inline constexpr std::array<EngineStat, 11> kEngineStats = {{
    {{"tracked_contacts", "Contacts the engine holds in memory now."},
     false,
     &EngineStats::tracked_contacts},
    {{"tracked_cases", "Cases the engine holds in memory now."},
     false,
     &EngineStats::tracked_cases},
    {{"tracked_agents", "Agents the engine holds in memory now."},
     false,
     &EngineStats::tracked_agents},
    {{"tracked_state_bytes",
      "Estimated bytes of the contacts, cases and agents the engine holds in memory now."},
     false,
     &EngineStats::tracked_state_bytes},
    {{"events_out_of_sequence_total",
      "Events the engine found out of sequence with the state they apply to."},
     true,
     &EngineStats::out_of_sequence_total},
    {{"evicted_contacts_total", "Idle contacts evicted from the engine's memory."},
     true,
     &EngineStats::evicted_contacts_total},
    {{"evicted_cases_total", "Idle cases evicted from the engine's memory."},
     true,
     &EngineStats::evicted_cases_total},
    {{"evicted_agents_total",
      "Agents evicted from the engine's memory because state.max_agents or "
      "state.max_tracked_bytes was reached."},
     true,
     &EngineStats::evicted_agents_total},
    {{"series_folded_total",
      "Label values folded into `other` because a configured cap was reached."},
     true,
     &EngineStats::series_folded_total},
    {{"held_events",
      "Events held now for unordered delivery, waiting for the event they depend on "
      "(ingest.lateness)."},
     false,
     &EngineStats::held_events},
    {{"held_events_evicted_total",
      "Held events given up before their lateness passed because state.max_held_events was "
      "reached."},
     true,
     &EngineStats::held_events_evicted_total},
}};

// Evictions for state.max_tracked_bytes, by kind of record: `ccmon_<key>{kind}`
// in /metrics, "stats": {"<key>": {"<kind>": n}} in /v1/kpis.
struct KindCount {
  std::string_view kind;
  std::uint64_t EngineStats::*member;
};
inline constexpr KpiInfo kByteBoundEvictions{
    "byte_bound_evictions_total",
    "Records evicted from the engine's memory because state.max_tracked_bytes was reached, by "
    "kind (also counted in ccmon_evicted_<kind>s_total)."};
inline constexpr std::array<KindCount, 3> kByteBoundEvictionKinds = {{
    {"contact", &EngineStats::contact_byte_bound_evictions_total},
    {"case", &EngineStats::case_byte_bound_evictions_total},
    {"agent", &EngineStats::agent_byte_bound_evictions_total},
}};

}  // namespace ccmon::core::engine_families
