// Time until an SLA rule is predicted to breach. Pure, safe from any thread.
// Assumptions and how the evaluator uses them: docs/forecasting.md.
#pragma once

#include <optional>

#include "core/forecast/erlang.hpp"

namespace ccmon::core::forecast {

// Default look-ahead of the at-risk state (issue 13: 5 minutes).
inline constexpr double kDefaultHorizonSeconds = 300;

// Oldest-waiting rule ("oldest waiting <= target"), exact: the oldest
// contact's age grows one second per second, so the rule breaks in
// target - age seconds (0 when the age already reached the target). Absent
// when nobody waits: no breach can come from the current queue.
std::optional<double> oldest_waiting_breach_eta(std::optional<double> oldest_age_seconds,
                                                double target_seconds);

// A windowed ratio KPI as the rule sees it now: numerator / denominator over
// the trailing window (e.g. answered within T / (answered + abandoned - short)).
struct WindowCounts {
  double numerator = 0;
  double denominator = 0;
  double window_seconds = 0;  // > 0
};

// What completes per second from now on, by the model: contacts added to the
// numerator and to the denominator (for ASA: wait-seconds and answered).
struct OutcomeFlow {
  double numerator_per_second = 0;
  double denominator_per_second = 0;
};

enum class Bound {
  kAtLeast,  // the rule holds while ratio >= target (service level)
  kAtMost,   // the rule holds while ratio <= target (abandon rate, ASA)
};

struct RatioRule {
  Bound bound = Bound::kAtLeast;
  double target = 0;
  double min_volume = 0;  // the rule is judged only when denominator >= this
};

// Seconds until the windowed ratio crosses the target, within
// `horizon_seconds`; 0 when it is already breached; absent when no crossing
// is predicted within the horizon or inputs are not finite / negative.
// Model (a fluid approximation): the window's current contacts are spread
// evenly over it, so they leave at count / window per second, while new
// outcomes enter at the flow's rates; both counts are then linear in t up to
// one window length, after which the window holds only predicted outcomes
// and the ratio stays at numerator_per_second / denominator_per_second. The
// crossing is the root of a linear function. Rule strictness (>= vs >) is not
// modelled: equality counts as holding.
std::optional<double> ratio_breach_eta(const WindowCounts& now, const OutcomeFlow& flow,
                                       const RatioRule& rule,
                                       double horizon_seconds = kDefaultHorizonSeconds);

// Flows for the window KPIs from a model's prediction at the current arrival
// rate (contacts per second) and serving agents; absent when the model gives
// no finite value (saturated Erlang C for ASA, nobody answered in Erlang A).
// Short abandons and overflows are not modelled, so the denominators are
// "all arrivals" (service level kAll, kRemovedWithin, abandon rate) or
// "answered" (kAnsweredOnly, ASA).
std::optional<OutcomeFlow> service_level_flow(const QueuePrediction& p, double arrival_rate,
                                              ServiceLevelBasis basis);
std::optional<OutcomeFlow> abandon_rate_flow(const QueuePrediction& p, double arrival_rate);
std::optional<OutcomeFlow> asa_flow(const QueuePrediction& p, double arrival_rate);

}  // namespace ccmon::core::forecast
