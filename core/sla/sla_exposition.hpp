// SLA states as Prometheus metric families (docs/metrics.md "SLA") and as
// the "sla" part of /v1/kpis JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/exposition/metric_family.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::core {

// ccmon_sla_breached, ccmon_sla_value (defined values only), ccmon_sla_target
// (gauges) and ccmon_sla_breaches_total (counter), labels {sla, queue,
// channel}. All four families are returned even when empty, so HELP/TYPE
// lines stay stable.
std::vector<MetricFamily> sla_families(const std::vector<SlaState>& states);

// [{sla, queue, channel, kpi, window (null for live KPIs), value (null when
//   skipped), target, op, breached, breaches_total, since (unix seconds)}]
nlohmann::json sla_json(const std::vector<SlaState>& states);

// The wallboard's margin judgement (`wallboard.at_risk_margin`), the same
// as the page's own (docs/wallboard.md): a rule not breached whose value is
// closer than margin * |target| to its target on the good side, or on the
// failing side (its `for` pending). False without a value.
bool near_target(const SlaState& s, double margin);

}  // namespace ccmon::core
