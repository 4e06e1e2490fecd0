// See queue_forecast.hpp.
#include "core/forecast/queue_forecast.hpp"

#include <cmath>

namespace ccmon::core::forecast {

namespace {

ModelForecast model_forecast(Model model, const ForecastInput& in, int servers) {
  ModelForecast f;
  f.now = model == Model::kErlangC ? erlang_c(servers, in.workload, in.target.threshold_seconds)
                                   : erlang_a(servers, in.workload, in.target.threshold_seconds);
  if (const auto s = servers_required(model, in.workload, in.target)) {
    f.agents_required = agents_for_servers(*s, in.concurrency);
    f.agents_short = *f.agents_required - in.agents_serving;
  }
  return f;
}

}  // namespace

QueueForecast forecast_queue(const ForecastInput& in) {
  QueueForecast f;
  const int servers = servers_for_agents(in.agents_serving, in.concurrency);
  f.erlang_c = model_forecast(Model::kErlangC, in, servers);
  const double patience = in.workload.patience_seconds;
  if (std::isfinite(patience) && patience > 0) {
    f.erlang_a = model_forecast(Model::kErlangA, in, servers);
  }
  return f;
}

}  // namespace ccmon::core::forecast
