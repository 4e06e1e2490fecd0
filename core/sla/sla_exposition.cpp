#include "core/sla/sla_exposition.hpp"

#include <cmath>
#include <string>

namespace ccmon::core {
namespace {

Labels labels_of(const SlaState& s) {
  return {{"sla", s.sla}, {"queue", s.queue}, {"channel", s.channel}};
}

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

}  // namespace

std::vector<MetricFamily> sla_families(const std::vector<SlaState>& states) {
  MetricFamily breached = family(
      "ccmon_sla_breached", "1 while the SLA rule is breached for the queue and channel, else 0.",
      MetricType::kGauge);
  MetricFamily value = family("ccmon_sla_value",
                              "The KPI value the SLA rule last judged (absent when skipped: "
                              "undefined or below the rule's minimum volume).",
                              MetricType::kGauge);
  MetricFamily target = family("ccmon_sla_target", "The SLA rule's target.", MetricType::kGauge);
  MetricFamily total = family("ccmon_sla_breaches_total",
                              "Transitions of the SLA rule into breach for the queue and channel.",
                              MetricType::kCounter);
  for (const SlaState& s : states) {
    breached.samples.push_back({labels_of(s), s.breached ? 1.0 : 0.0});
    if (s.value) value.samples.push_back({labels_of(s), *s.value});
    target.samples.push_back({labels_of(s), s.target});
    total.samples.push_back({labels_of(s), static_cast<double>(s.breaches_total)});
  }
  return {std::move(breached), std::move(value), std::move(target), std::move(total)};
}

nlohmann::json sla_json(const std::vector<SlaState>& states) {
  nlohmann::json out = nlohmann::json::array();
  for (const SlaState& s : states) {
    nlohmann::json j;
    j["sla"] = s.sla;
    j["queue"] = s.queue;
    j["channel"] = s.channel;
    j["kpi"] = s.kpi;
    j["window"] = s.window.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.window);
    j["value"] = s.value ? nlohmann::json(*s.value) : nlohmann::json(nullptr);
    j["target"] = s.target;
    j["op"] = std::string(to_string(s.comparison));
    j["breached"] = s.breached;
    j["breaches_total"] = s.breaches_total;
    j["since"] = to_seconds(s.since);
    out.push_back(std::move(j));
  }
  return out;
}

bool near_target(const SlaState& s, double margin) {
  if (s.breached || !s.value) return false;
  const double m = margin * std::fabs(s.target);
  switch (s.comparison) {
    case Comparison::kGreaterEqual:
    case Comparison::kGreater:
      return *s.value < s.target + m;
    case Comparison::kLessEqual:
    case Comparison::kLess:
      return *s.value > s.target - m;
  }
  return false;
}

}  // namespace ccmon::core
