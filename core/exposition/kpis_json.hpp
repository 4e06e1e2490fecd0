// The /v1/kpis answer: the snapshot's KPIs as JSON for wallboards and
// integrations (shape documented in docs/api-kpis.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/engine/snapshot.hpp"

namespace ccmon::core {

// Exact-match filters; an empty field matches everything.
struct KpiFilter {
  std::string queue;
  std::string channel;
  std::string window;
};

// Series failing the queue or channel filter are left out. The window filter
// keeps only that window in the top-level "windows" list and in every
// "windows" object (series and teams); teams are otherwise always kept.
// Every KPI key is present in every window object, null when undefined.
// Each series window also holds "parts" (the sums behind the tiles' ratios
// and means) and each team window "parts" (every team part), named as the
// /metrics parts without "ccmon_" (core/kpi_parts.hpp); counts, or seconds.
// Integral numbers are written as JSON integers ("offered": 3, not 3.0).
nlohmann::json kpis_json(const Snapshot& snapshot, const KpiFilter& filter);

}  // namespace ccmon::core
