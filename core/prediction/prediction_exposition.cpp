// See prediction_exposition.hpp.
#include "core/prediction/prediction_exposition.hpp"

#include <cmath>
#include <string>

namespace ccmon::core {
namespace {

MetricFamily gauge(std::string name, std::string help) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = MetricType::kGauge;
  return f;
}

Labels series_labels(const SeriesForecast& s) {
  return {{"queue", s.queue}, {"channel", s.channel}};
}

Labels with_model(const SeriesForecast& s, const char* model) {
  Labels l = series_labels(s);
  l.emplace_back("model", model);
  return l;
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json model_json(const forecast::ModelForecast& m) {
  nlohmann::json j;
  j["agents_required"] = or_null(m.agents_required);
  j["agents_short"] = or_null(m.agents_short);
  j["estimated_wait_seconds"] =
      m.now ? seconds_json(m.now->mean_wait_seconds) : nlohmann::json(nullptr);
  j["wait_probability"] = m.now ? nlohmann::json(m.now->wait_probability) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

nlohmann::json seconds_json(double v) {
  return std::isinf(v) ? nlohmann::json("+Inf") : nlohmann::json(v);
}

std::vector<MetricFamily> forecast_families(const Forecast& f) {
  MetricFamily rate = gauge("ccmon_forecast_arrival_rate",
                            "Contacts offered per second over the forecast window, as the models "
                            "use it (absent when none was offered).");
  MetricFamily aht = gauge("ccmon_forecast_handle_time_seconds",
                           "Average handle time the models use (1h window, 24h when the hour "
                           "has too few handled contacts).");
  MetricFamily patience = gauge("ccmon_forecast_patience_seconds",
                                "Average patience: total wait of contacts that left the queue / "
                                "abandoned, forecast window (absent until there are abandons).");
  MetricFamily serving = gauge("ccmon_agents_serving",
                               "Agents serving the queue now (available + busy + wrap-up of its "
                               "mapped teams, else agents who answered it in the last hour).");
  MetricFamily required = gauge("ccmon_agents_required",
                                "Agents needed now for the queue's service-level target, after "
                                "concurrency.");
  MetricFamily short_ = gauge("ccmon_agents_short", "Agents required - agents serving.");
  MetricFamily wait = gauge("ccmon_estimated_wait_seconds",
                            "Expected wait of a contact arriving now (+Inf when the offered load "
                            "is at or above capacity).");
  MetricFamily probability =
      gauge("ccmon_wait_probability", "Probability that a contact arriving now waits at all.");
  MetricFamily at_risk = gauge("ccmon_sla_at_risk",
                               "1 while the SLA rule is predicted to breach within the horizon "
                               "(or fails now), else 0; rules with a breach model only.");
  MetricFamily eta = gauge("ccmon_sla_breach_eta_seconds",
                           "Predicted seconds until the SLA rule breaches (0: failing now); "
                           "absent when no breach is predicted within the horizon.");
  for (const SeriesForecast& s : f.series) {
    const SeriesForecast& in = s;
    if (in.inputs.arrival_rate) rate.samples.push_back({series_labels(s), *in.inputs.arrival_rate});
    if (in.inputs.handle_time_seconds) {
      aht.samples.push_back({series_labels(s), *in.inputs.handle_time_seconds});
    }
    if (in.inputs.patience_seconds) {
      patience.samples.push_back({series_labels(s), *in.inputs.patience_seconds});
    }
    serving.samples.push_back({series_labels(s), static_cast<double>(in.inputs.agents_serving)});
    for (const auto& [model, m] :
         {std::pair{"erlang_c", &s.models.erlang_c}, std::pair{"erlang_a", &s.models.erlang_a}}) {
      if (m->agents_required) {
        required.samples.push_back(
            {with_model(s, model), static_cast<double>(*m->agents_required)});
      }
      if (m->agents_short) {
        short_.samples.push_back({with_model(s, model), static_cast<double>(*m->agents_short)});
      }
      if (m->now) {
        wait.samples.push_back({with_model(s, model), m->now->mean_wait_seconds});
        probability.samples.push_back({with_model(s, model), m->now->wait_probability});
      }
    }
  }
  for (const RuleRisk& r : f.rules) {
    if (!r.modelled) continue;
    Labels l{{"sla", r.sla}, {"queue", r.queue}, {"channel", r.channel}};
    if (r.breach_eta_seconds) eta.samples.push_back({l, *r.breach_eta_seconds});
    at_risk.samples.push_back({std::move(l), r.at_risk ? 1.0 : 0.0});
  }
  std::vector<MetricFamily> out;
  for (MetricFamily* m : {&rate, &aht, &patience, &serving, &required, &short_, &wait, &probability,
                          &at_risk, &eta}) {
    out.push_back(std::move(*m));
  }
  return out;
}

nlohmann::json forecast_json(const SeriesForecast& s) {
  nlohmann::json j;
  j["queue"] = s.queue;
  j["channel"] = s.channel;
  j["arrival_rate"] = or_null(s.inputs.arrival_rate);
  j["handle_time_seconds"] = or_null(s.inputs.handle_time_seconds);
  j["patience_seconds"] = or_null(s.inputs.patience_seconds);
  j["agents_serving"] = s.inputs.agents_serving;
  j["concurrency"] = s.inputs.concurrency;
  j["service_level_threshold_seconds"] = s.inputs.target.threshold_seconds;
  j["service_level_target"] = s.inputs.target.ratio;
  j["erlang_c"] = model_json(s.models.erlang_c);
  j["erlang_a"] = model_json(s.models.erlang_a);
  return j;
}

}  // namespace ccmon::core
