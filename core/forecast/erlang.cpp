// Erlang B and C, input checks and the shared service-level selection.
// Formulas and sources: erlang.hpp; docs/forecasting.md.
#include "core/forecast/erlang.hpp"

#include <cmath>
#include <limits>

namespace ccmon::core::forecast {

namespace {
bool non_negative_finite(double v) {
  return std::isfinite(v) && v >= 0;
}
}  // namespace

std::string_view workload_error(const Workload& w, bool with_patience) {
  if (!non_negative_finite(w.arrival_rate)) {
    return "arrival rate must be a finite number >= 0 (docs/forecasting.md)";
  }
  if (!std::isfinite(w.handle_time_seconds) || w.handle_time_seconds <= 0) {
    return "handle time must be a finite number of seconds > 0 (docs/forecasting.md)";
  }
  if (with_patience && (!std::isfinite(w.patience_seconds) || w.patience_seconds <= 0)) {
    return "patience must be a finite number of seconds > 0 (docs/forecasting.md)";
  }
  return {};
}

std::optional<double> service_level(const ServiceLevels& s, ServiceLevelBasis basis) {
  switch (basis) {
    case ServiceLevelBasis::kAll:
      return s.all;
    case ServiceLevelBasis::kAnsweredOnly:
      return s.answered_only;
    case ServiceLevelBasis::kRemovedWithin:
      return s.removed_within;
  }
  return std::nullopt;
}

double erlang_b(int agents, double load) {
  double b = 1;
  for (int n = 1; n <= agents; ++n) {
    const double ab = load * b;
    b = ab / (n + ab);
  }
  return b;
}

std::optional<QueuePrediction> erlang_c(int agents, const Workload& w, double threshold_seconds) {
  if (!workload_error(w, false).empty() || agents < 0 || !non_negative_finite(threshold_seconds)) {
    return std::nullopt;
  }
  QueuePrediction p;
  p.agents = agents;
  p.offered_load = w.arrival_rate * w.handle_time_seconds;
  const double n = agents;
  const double a = p.offered_load;
  if (agents == 0 || (w.arrival_rate > 0 && a >= n)) {
    // Overloaded (or nobody to answer): the queue grows without bound.
    constexpr double kInf = std::numeric_limits<double>::infinity();
    p.saturated = true;
    p.wait_probability = 1;
    p.mean_wait_seconds = kInf;
    p.mean_answered_wait_seconds = kInf;
    p.service_level = {.all = 0, .answered_only = 0, .removed_within = 0};
    if (agents > 0) p.occupancy = 1;
    return p;
  }
  p.occupancy = a / n;
  p.mean_answered_wait_seconds = 0;
  if (w.arrival_rate == 0) return p;  // nobody waits; service levels stay 1
  const double b = erlang_b(agents, a);
  const double c = n * b / (n - a * (1 - b));
  const double within = 1 - c * std::exp(-(n - a) * threshold_seconds / w.handle_time_seconds);
  p.wait_probability = c;
  p.mean_wait_seconds = c * w.handle_time_seconds / (n - a);
  p.mean_answered_wait_seconds = p.mean_wait_seconds;
  p.service_level = {.all = within, .answered_only = within, .removed_within = within};
  return p;
}

}  // namespace ccmon::core::forecast
