// The forecast of a tick as Prometheus metric families (names of
// spec/metrics.md, "Prediction") and as JSON for /v1/kpis.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/exposition/metric_family.hpp"
#include "core/prediction/prediction.hpp"

namespace ccmon::core {

// Gauges, {queue, channel} (+ model where named): ccmon_forecast_arrival_rate,
// ccmon_forecast_handle_time_seconds, ccmon_forecast_patience_seconds,
// ccmon_agents_serving, ccmon_agents_required{model},
// ccmon_agents_short{model}, ccmon_estimated_wait_seconds{model} (+Inf when
// Erlang C is saturated), ccmon_wait_probability{model}; {sla, queue,
// channel}: ccmon_sla_at_risk (modelled rules only) and
// ccmon_sla_breach_eta_seconds. Undefined values have no sample; every
// family is returned, even empty, so HELP/TYPE lines stay stable.
std::vector<MetricFamily> forecast_families(const Forecast& f);

// [{queue, channel, arrival_rate, handle_time_seconds, patience_seconds,
//   agents_serving, concurrency, service_level_threshold_seconds,
//   service_level_target, erlang_c: {agents_required, agents_short,
//   estimated_wait_seconds, wait_probability}, erlang_a: {...}}], undefined
// values null; an infinite wait is the string "+Inf" (JSON has no infinity).
nlohmann::json forecast_json(const SeriesForecast& s);

// JSON value of a wait: the number, or "+Inf".
nlohmann::json seconds_json(double v);

}  // namespace ccmon::core
