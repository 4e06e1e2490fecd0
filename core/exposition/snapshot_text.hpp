// The /metrics writer of a KPI snapshot: the families of docs/metrics.md
// written straight to Prometheus text (format 0.0.4). A scrape of ~50k
// samples is dominated by per-sample label handling and escaping, so each
// series' labels are escaped once and the block reused for every sample.
#pragma once

#include <string>

#include "core/engine/snapshot.hpp"

namespace ccmon::core {

// Appends, in this order: the windowed KPIs (catalogue order, core/kpi.hpp),
// their parts (core/kpi_parts.hpp), ccmon_deflected,
// ccmon_service_level_threshold_seconds, the team KPIs and their parts, the
// live KPIs, ccmon_agents, the since-start counters, ccmon_wait_seconds and
// the engine stats (core/exposition/engine_families.hpp). Samples follow the
// snapshot's order (series by queue, channel; then window). An undefined KPI
// has no sample, nor has a part that is 0 where its KPI is undefined; a
// family with no sample is left out, HELP and TYPE
// included, as Prometheus clients do. Numbers as append_value writes them.
void append_snapshot_text(std::string& out, const Snapshot& snapshot);

}  // namespace ccmon::core
