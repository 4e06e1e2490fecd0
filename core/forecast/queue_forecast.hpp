// Everything the forecast gauges of one queue x channel need, in one call:
// predictions with the agents serving now and agents required, by Erlang C
// and (when the patience is known) Erlang A. Pure, safe from any thread.
// Inputs and how to read the outputs: docs/forecasting.md.
#pragma once

#include <optional>

#include "core/forecast/erlang.hpp"
#include "core/forecast/staffing.hpp"

namespace ccmon::core::forecast {

struct ForecastInput {
  // patience_seconds <= 0 (or not finite) means "unknown" (no abandons
  // observed yet): Erlang A is skipped.
  Workload workload;
  int agents_serving = 0;  // agents serving the queue now
  int concurrency = 1;     // contacts one agent handles at once (digital channels)
  ServiceTarget target;
};

struct ModelForecast {
  // A contact arriving now, with agents_serving x concurrency servers.
  std::optional<QueuePrediction> now;
  std::optional<int> agents_required;  // for the target, after concurrency
  std::optional<int> agents_short;     // required - serving; negative = surplus
};

struct QueueForecast {
  ModelForecast erlang_c;
  ModelForecast erlang_a;  // all absent when the patience is unknown

  // The prediction to show as "estimated wait": Erlang A when available (it
  // fits real centers better), else Erlang C; nullptr when neither exists.
  const QueuePrediction* best() const {
    if (erlang_a.now) return &*erlang_a.now;
    return erlang_c.now ? &*erlang_c.now : nullptr;
  }
};

// Invalid workload or target leaves the affected fields absent (never NaN).
QueueForecast forecast_queue(const ForecastInput& in);

}  // namespace ccmon::core::forecast
