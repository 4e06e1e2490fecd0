// The daemon's forecast of one tick (docs/forecasting.md): per queue x
// channel the model inputs read from the snapshot and the Erlang C / Erlang
// A predictions, and per SLA state whether the rule is at risk. Pure: time
// is the snapshot's; safe from any thread (no shared state).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/engine/engine_config.hpp"
#include "core/engine/snapshot.hpp"
#include "core/forecast/queue_forecast.hpp"
#include "core/prediction/prediction_config.hpp"
#include "core/prediction/recent_answerers.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::core {

// What the models are fed for one series; absent = undefined (see
// forecast_inputs()).
struct ForecastInputs {
  std::optional<double> arrival_rate;         // contacts offered per second
  std::optional<double> handle_time_seconds;  // AHT
  std::optional<double> patience_seconds;     // total wait of leavers / abandoned
  int agents_serving = 0;                     // available + busy + wrap-up
  int concurrency = 1;
  forecast::ServiceTarget target;  // threshold of the series, ratio of its rule or the default
};

struct SeriesForecast {
  std::string queue;
  std::string channel;
  ForecastInputs inputs;
  // Empty (all absent) unless arrival rate and handle time are defined.
  forecast::QueueForecast models;
};

// One SLA state's prediction (the state of the same tick, same labels).
struct RuleRisk {
  std::string sla;
  std::string queue;
  std::string channel;
  bool modelled = false;  // the rule's KPI has a breach model (else no series)
  bool at_risk = false;   // a breach predicted within the horizon (or failing now)
  std::optional<double> breach_eta_seconds;  // within the horizon; 0: failing now
};

struct Forecast {
  Timestamp at = 0;
  std::vector<SeriesForecast> series;  // parallel to Snapshot::series
  std::vector<RuleRisk> rules;         // parallel to the SLA states given
};

// Where the inputs come from: configuration resolved once (window indexes
// and lengths), so a tick does no string lookups for them.
struct PredictionSetup {
  PredictionConfig config;
  std::vector<TrailingWindow> windows;  // the engine's, in snapshot order
  ServiceLevelFormula service_level_formula = ServiceLevelFormula::kDefault;
};

// Inputs of one series (docs/forecasting.md, "Inputs the models use"):
// - arrival rate: offered in the arrival window / its length; absent when
//   none was offered or the window is not configured;
// - handle time: AHT of handle_time_window, or of the fallback window when
//   the first has fewer than min_handled handled and the fallback more;
//   absent with no handled contact in either;
// - patience: (ASA x answered + average abandon time x abandoned) /
//   abandoned over the arrival window; absent without abandons or waits;
// - agents serving: available + busy + wrap-up agents of the teams mapped by
//   `queues` entries matching the series; when none matches,
//   `recent_answerers` (agents who answered it lately, RecentAnswerers).
// `sla` supplies the target ratio (a service_level_ratio rule with >= or >
// on this series; the first in order wins).
ForecastInputs forecast_inputs(const PredictionSetup& setup, const Snapshot& snapshot,
                               const SeriesSnapshot& series, int recent_answerers,
                               const std::vector<SlaState>& sla);

// The whole forecast of a tick. `rules` and `sla`: the SLA evaluator's rules
// and its states judged on `snapshot` (rules give min_volume). `answerers`
// maps RecentAnswerers::series_key to its count. O(series x log(agents
// required)) staffing searches.
Forecast make_forecast(const PredictionSetup& setup, const Snapshot& snapshot,
                       const std::vector<SlaRule>& rules, const std::vector<SlaState>& sla,
                       const RecentAnswerers::Counts& answerers);

}  // namespace ccmon::core
