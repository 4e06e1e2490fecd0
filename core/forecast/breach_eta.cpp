// See breach_eta.hpp.
#include "core/forecast/breach_eta.hpp"

#include <algorithm>
#include <cmath>

namespace ccmon::core::forecast {

namespace {

bool usable(double v) {
  return std::isfinite(v) && v >= 0;
}

// {t in [0, end] : g0 + g1 t > 0} (or >= 0 with `closed`) as [from, to];
// absent when empty. Only `from` matters to callers, up to the boundary.
struct Span {
  double from;
  double to;
};
std::optional<Span> positive_part(double g0, double g1, double end, bool closed) {
  const bool at0 = closed ? g0 >= 0 : g0 > 0;
  if (at0) {
    const double to = g1 < 0 ? std::min(end, -g0 / g1) : end;
    return Span{0, to};
  }
  if (g1 <= 0) return std::nullopt;  // never rises above 0
  const double root = -g0 / g1;
  if (root > end) return std::nullopt;
  return Span{root, end};
}

std::optional<OutcomeFlow> flow(double numerator_share, double denominator_share, double rate) {
  if (!usable(numerator_share) || !usable(denominator_share) || !usable(rate)) {
    return std::nullopt;
  }
  return OutcomeFlow{numerator_share * rate, denominator_share * rate};
}

}  // namespace

std::optional<double> oldest_waiting_breach_eta(std::optional<double> oldest_age_seconds,
                                                double target_seconds) {
  if (!oldest_age_seconds || !std::isfinite(*oldest_age_seconds) ||
      !std::isfinite(target_seconds)) {
    return std::nullopt;
  }
  return std::max(0.0, target_seconds - *oldest_age_seconds);
}

std::optional<double> ratio_breach_eta(const WindowCounts& now, const OutcomeFlow& flow,
                                       const RatioRule& rule, double horizon_seconds) {
  if (!usable(now.numerator) || !usable(now.denominator) || !usable(now.window_seconds) ||
      now.window_seconds == 0 || !usable(flow.numerator_per_second) ||
      !usable(flow.denominator_per_second) || !std::isfinite(rule.target) ||
      !usable(rule.min_volume) || !usable(horizon_seconds)) {
    return std::nullopt;
  }
  const double w = now.window_seconds;
  const double end = std::min(horizon_seconds, w);
  // Counts at time t <= w: c(t) = c0 (1 - t / w) + rate t.
  const double d1 = flow.denominator_per_second - now.denominator / w;
  const double n1 = flow.numerator_per_second - now.numerator / w;
  // Breach margin m(t) = numerator - target * denominator, < 0 is a breach of
  // ">= target"; for "<= target" the sign flips.
  const double sign = rule.bound == Bound::kAtLeast ? -1 : 1;
  const double m0 = sign * (now.numerator - rule.target * now.denominator);
  const double m1 = sign * (n1 - rule.target * d1);
  const auto breached = positive_part(m0, m1, end, false);
  // Judged only with a denominator >= min_volume and > 0 (defined ratio).
  const auto judged = rule.min_volume > 0
                          ? positive_part(now.denominator - rule.min_volume, d1, end, true)
                          : positive_part(now.denominator, d1, end, false);
  if (!breached || !judged) return std::nullopt;
  const double from = std::max(breached->from, judged->from);
  if (from > std::min(breached->to, judged->to)) return std::nullopt;
  return from;
}

std::optional<OutcomeFlow> service_level_flow(const QueuePrediction& p, double arrival_rate,
                                              ServiceLevelBasis basis) {
  const auto sl = service_level(p.service_level, basis);
  if (!sl) return std::nullopt;
  const double answered = 1 - p.abandon_probability;
  // Numerator per arrival: sl x denominator share.
  const double denominator = basis == ServiceLevelBasis::kAnsweredOnly ? answered : 1.0;
  return flow(*sl * denominator, denominator, arrival_rate);
}

std::optional<OutcomeFlow> abandon_rate_flow(const QueuePrediction& p, double arrival_rate) {
  return flow(p.abandon_probability, 1.0, arrival_rate);
}

std::optional<OutcomeFlow> asa_flow(const QueuePrediction& p, double arrival_rate) {
  if (!p.mean_answered_wait_seconds) return std::nullopt;
  const double answered = 1 - p.abandon_probability;
  return flow(*p.mean_answered_wait_seconds * answered, answered, arrival_rate);
}

}  // namespace ccmon::core::forecast
