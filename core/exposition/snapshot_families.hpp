// Turns a KPI snapshot into the Prometheus families of spec/metrics.md
// (windowed, agent, live, counters and histograms, engine stats). The server
// renders them with append_text next to its own daemon metrics.
#pragma once

#include <vector>

#include "core/engine/snapshot.hpp"
#include "core/exposition/metric_family.hpp"

namespace ccmon::core {

// Families in a fixed order (windowed KPIs in Kpi order, ccmon_deflected,
// ccmon_service_level_threshold_seconds, team KPIs, live gauges, ccmon_agents,
// counters, ccmon_wait_seconds, engine stats); samples in snapshot order
// (series by queue, channel; then window). An undefined KPI has no sample and
// a family with no sample is left out, as Prometheus clients do.
std::vector<MetricFamily> snapshot_families(const Snapshot& snapshot);

}  // namespace ccmon::core
