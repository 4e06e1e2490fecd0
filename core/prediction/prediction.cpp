// See prediction.hpp.
#include "core/prediction/prediction.hpp"

#include <algorithm>
#include <cmath>

#include "core/forecast/breach_eta.hpp"
#include "core/glob.hpp"
#include "core/prediction/recent_answerers.hpp"

namespace ccmon::core {
namespace {

using forecast::ServiceLevelBasis;

std::optional<std::size_t> window_index(const PredictionSetup& setup, const std::string& name) {
  for (std::size_t i = 0; i < setup.windows.size(); ++i) {
    if (setup.windows[i].name == name) return i;
  }
  return std::nullopt;
}

const KpiValue& kpi_at(const SeriesSnapshot& s, std::size_t window, Kpi kpi) {
  return s.windows[window].kpis[static_cast<std::size_t>(kpi)];
}

// Sum of a ratio KPI's numerator: value x volume (value = numerator / volume).
double numerator_of(const KpiValue& v) {
  return v.value ? *v.value * v.volume : 0.0;
}

// The models' basis closest to the formula's switches: abandons within T
// met, answered only (no abandons, no overflows), else all arrivals.
ServiceLevelBasis basis_of(const ServiceLevelFormula& f) {
  if (f.include_abandoned && f.abandoned_within_met) return ServiceLevelBasis::kRemovedWithin;
  if (!f.include_abandoned && !f.include_overflowed) return ServiceLevelBasis::kAnsweredOnly;
  return ServiceLevelBasis::kAll;
}

bool at_least(Comparison c) {
  return c == Comparison::kGreaterEqual || c == Comparison::kGreater;
}

std::optional<double> handle_time(const PredictionSetup& setup, const SeriesSnapshot& s) {
  const auto main = window_index(setup, setup.config.handle_time_window);
  const auto fallback = window_index(setup, setup.config.handle_time_fallback_window);
  const KpiValue* m = main ? &kpi_at(s, *main, Kpi::kAverageHandleTime) : nullptr;
  const KpiValue* f = fallback ? &kpi_at(s, *fallback, Kpi::kAverageHandleTime) : nullptr;
  if (m && m->value && m->volume >= setup.config.min_handled) return m->value;
  // Too few in the main window: the fallback, if it knows more contacts.
  if (f && f->value && (!m || !m->value || f->volume > m->volume)) return f->value;
  return m ? m->value : std::nullopt;
}

int agents_of_teams(const Snapshot& snapshot, const std::vector<std::string>& teams) {
  std::uint64_t n = 0;
  for (const TeamSnapshot& t : snapshot.teams) {
    if (std::find(teams.begin(), teams.end(), t.team) == teams.end()) continue;
    n += t.agents[static_cast<std::size_t>(AgentState::kAvailable)] +
         t.agents[static_cast<std::size_t>(AgentState::kBusy)] +
         t.agents[static_cast<std::size_t>(AgentState::kWrapUp)];
  }
  return static_cast<int>(std::min<std::uint64_t>(n, forecast::kMaxServers));
}

RuleRisk rule_risk(const PredictionSetup& setup, const SlaState& state, double min_volume,
                   const SeriesSnapshot* series, const SeriesForecast* f) {
  RuleRisk r{state.sla, state.queue, state.channel, false, false, std::nullopt};
  if (!series) return r;
  const double horizon = setup.config.horizon_seconds;
  std::optional<double> eta;
  if (state.kpi == "oldest_waiting_seconds" && !at_least(state.comparison)) {
    r.modelled = true;
    std::optional<double> age;
    if (series->live[static_cast<std::size_t>(LiveKpi::kContactsWaiting)] > 0) {
      age = series->live[static_cast<std::size_t>(LiveKpi::kOldestWaiting)];
    }
    eta = forecast::oldest_waiting_breach_eta(age, state.target);
    if (eta && *eta > horizon) eta.reset();
  } else {
    const bool sl = state.kpi == "service_level_ratio" && at_least(state.comparison);
    const bool abandon = state.kpi == "abandon_ratio" && !at_least(state.comparison);
    const bool asa = state.kpi == "average_speed_of_answer_seconds" && !at_least(state.comparison);
    const auto w = window_index(setup, state.window);  // "today" has no fixed length
    if (!(sl || abandon || asa) || !w) return r;
    r.modelled = true;
    const forecast::QueuePrediction* p = f ? f->models.best() : nullptr;
    if (!p || !f->inputs.arrival_rate) return r;
    const double rate = *f->inputs.arrival_rate;
    const std::optional<forecast::OutcomeFlow> flow =
        sl        ? forecast::service_level_flow(*p, rate, basis_of(setup.service_level_formula))
        : abandon ? forecast::abandon_rate_flow(*p, rate)
                  : forecast::asa_flow(*p, rate);
    if (!flow) return r;
    const Kpi kpi = sl        ? Kpi::kServiceLevelRatio
                    : abandon ? Kpi::kAbandonRatio
                              : Kpi::kAverageSpeedOfAnswer;
    const KpiValue& now = kpi_at(*series, *w, kpi);
    const forecast::WindowCounts counts{numerator_of(now), now.volume,
                                        to_seconds(setup.windows[*w].length)};
    const forecast::RatioRule rule{sl ? forecast::Bound::kAtLeast : forecast::Bound::kAtMost,
                                   state.target, min_volume};
    eta = forecast::ratio_breach_eta(counts, *flow, rule, horizon);
  }
  r.at_risk = eta.has_value();
  r.breach_eta_seconds = eta;
  return r;
}

}  // namespace

ForecastInputs forecast_inputs(const PredictionSetup& setup, const Snapshot& snapshot,
                               const SeriesSnapshot& series, int recent_answerers,
                               const std::vector<SlaState>& sla) {
  const PredictionConfig& c = setup.config;
  ForecastInputs in;
  if (const auto w = window_index(setup, c.arrival_window)) {
    const double length = to_seconds(setup.windows[*w].length);
    const KpiValue& offered = kpi_at(series, *w, Kpi::kOffered);
    if (offered.value && *offered.value > 0 && length > 0)
      in.arrival_rate = *offered.value / length;
    const KpiValue& abandoned = kpi_at(series, *w, Kpi::kAbandoned);
    if (abandoned.value && *abandoned.value > 0) {
      const double waited = numerator_of(kpi_at(series, *w, Kpi::kAverageSpeedOfAnswer)) +
                            numerator_of(kpi_at(series, *w, Kpi::kAverageAbandonTime));
      if (waited > 0) in.patience_seconds = waited / *abandoned.value;
    }
  }
  in.handle_time_seconds = handle_time(setup, series);

  std::vector<std::string> teams;
  bool mapped = false;
  for (const QueueTeams& q : c.queues) {
    if (!glob_match(q.queue, series.queue) || !glob_match(q.channel, series.channel)) continue;
    mapped = true;
    teams.insert(teams.end(), q.teams.begin(), q.teams.end());
  }
  in.agents_serving = mapped ? agents_of_teams(snapshot, teams) : recent_answerers;
  in.concurrency = std::max(1, c.concurrency_of(series.channel));

  in.target.threshold_seconds = series.service_level_threshold_s;
  in.target.ratio = c.target_ratio;
  for (const SlaState& s : sla) {
    if (s.kpi == "service_level_ratio" && at_least(s.comparison) && s.queue == series.queue &&
        s.channel == series.channel) {
      in.target.ratio = s.target;
      break;
    }
  }
  in.target.basis = basis_of(setup.service_level_formula);
  in.target.max_occupancy = c.max_occupancy;
  return in;
}

Forecast make_forecast(const PredictionSetup& setup, const Snapshot& snapshot,
                       const std::vector<SlaRule>& rules, const std::vector<SlaState>& sla,
                       const RecentAnswerers::Counts& answerers) {
  Forecast out;
  out.at = snapshot.now;
  out.series.reserve(snapshot.series.size());
  std::unordered_map<std::string, std::size_t> index;
  for (const SeriesSnapshot& s : snapshot.series) {
    const std::string key = RecentAnswerers::series_key(s.queue, s.channel);
    const auto a = answerers.find(key);
    SeriesForecast f{s.queue,
                     s.channel,
                     forecast_inputs(setup, snapshot, s, a == answerers.end() ? 0 : a->second, sla),
                     {}};
    if (f.inputs.arrival_rate && f.inputs.handle_time_seconds) {
      forecast::ForecastInput in;
      in.workload = {*f.inputs.arrival_rate, *f.inputs.handle_time_seconds,
                     f.inputs.patience_seconds.value_or(0)};
      in.agents_serving = f.inputs.agents_serving;
      in.concurrency = f.inputs.concurrency;
      in.target = f.inputs.target;
      f.models = forecast::forecast_queue(in);
    }
    index.emplace(key, out.series.size());
    out.series.push_back(std::move(f));
  }
  out.rules.reserve(sla.size());
  for (const SlaState& state : sla) {
    const auto it = index.find(RecentAnswerers::series_key(state.queue, state.channel));
    const bool found = it != index.end();
    double min_volume = 0;
    for (const SlaRule& rule : rules) {
      if (rule.name == state.sla) min_volume = rule.min_volume;
    }
    RuleRisk r = rule_risk(setup, state, min_volume, found ? &snapshot.series[it->second] : nullptr,
                           found ? &out.series[it->second] : nullptr);
    out.rules.push_back(std::move(r));
  }
  return out;
}

}  // namespace ccmon::core
