// Erlang A (M/M/N+M). Formulas and sources: erlang.hpp; docs/forecasting.md.
#include <algorithm>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

#include "core/forecast/erlang.hpp"
#include "core/forecast/erlang_a_detail.hpp"

namespace ccmon::core::forecast {

namespace {

namespace bmp = boost::math::policies;
// Pure functions must not throw: Boost.Math reports through return values
// (checked by the callers) instead of exceptions.
using Quiet =
    bmp::policy<bmp::domain_error<bmp::ignore_error>, bmp::pole_error<bmp::ignore_error>,
                bmp::overflow_error<bmp::ignore_error>, bmp::underflow_error<bmp::ignore_error>,
                bmp::evaluation_error<bmp::ignore_error>>;

double clamp01(double v) {
  return std::clamp(v, 0.0, 1.0);
}

// The model's constants for one (N, workload).
struct Palm {
  double n_mu;       // N mu, services per second with every agent busy
  double theta;      // abandonment rate of one waiting contact, 1 / patience
  double x;          // N mu / theta
  double y;          // lambda / theta
  double log_a;      // log A(x, y)
  double wait;       // P(W > 0)
  double served_w;   // P(answered after waiting)
  double abandoned;  // P(Ab)

  // P(answered, V > t) = pi_N x e^y y^{-x-1} gamma(x+1, z), z = y e^{-theta t}:
  // with gamma(x+1, z) = A(x+1, z) z^{x+1} e^{-z} / (x+1) and pi_N =
  // P(W > 0) / A(x, y) this is the expression below, overflow-free.
  double answered_after(double t) const {
    if (wait == 0) return 0;
    const double z = y * std::exp(-theta * t);
    return wait * x / (x + 1) *
           std::exp(detail::log_palm_a(x + 1, z) - log_a - (n_mu + theta) * t -
                    y * std::expm1(-theta * t));
  }
  // E[V 1{answered}] over all arrivals. An arrival finding j contacts
  // waiting reaches an agent after V = sum_{m=0..j} Exp(N mu + m theta) and
  // is answered iff V < its Exp(theta) patience, so by the Laplace transform
  // of V at theta (the product telescopes):
  //   P(answered | j) = x / (x + j + 1),
  //   E[V 1{answered} | j] = x / (x + j + 1) * (1/theta) sum_{m=1..j+1} 1/(x + m);
  // with P(j waiting) = pi_N y^j / prod_{i=1..j} (x + i) the sum over j is
  //   pi_N (x / theta) sum_j w_j H_j,  w_j = y^j / prod_{i=1..j+1} (x + i),
  //   H_j = sum_{m=1..j+1} 1 / (x + m).
  // Terms rise until j ~ y - x, then fall geometrically; they are summed
  // with a running scale so that heavy overload cannot overflow.
  double answered_wait_sum() const {
    if (wait == 0) return 0;
    constexpr double kBig = 1e200;
    double w = 1 / (x + 1);
    double h = w;
    double sum = 0;
    double log_scale = 0;
    for (double j = 0; j < 1e8; ++j) {
      if (j > 0) {
        w *= y / (x + j + 1);
        h += 1 / (x + j + 1);
      }
      const double term = w * h;
      sum += term;
      if (sum > kBig) {
        sum /= kBig;
        w /= kBig;
        log_scale += std::log(kBig);
      }
      if (j > y - x && term <= sum * 1e-17) break;
    }
    return wait * x / theta * sum * std::exp(log_scale - log_a);
  }
  // P(V > t) = P(W > 0) gamma(x, z) / gamma(x, y), written the same way.
  double offered_wait_above(double t) const {
    if (wait == 0) return 0;
    const double z = y * std::exp(-theta * t);
    return wait *
           std::exp(detail::log_palm_a(x, z) - log_a - n_mu * t - y * std::expm1(-theta * t));
  }
};

Palm palm(int agents, const Workload& w) {
  Palm p{};
  p.n_mu = agents / w.handle_time_seconds;
  p.theta = 1 / w.patience_seconds;
  p.x = agents * w.patience_seconds / w.handle_time_seconds;
  p.y = w.arrival_rate * w.patience_seconds;
  p.log_a = detail::log_palm_a(p.x, p.y);
  const double b = erlang_b(agents, w.arrival_rate * w.handle_time_seconds);
  // P(W > 0) = A B / (1 + (A - 1) B), divided through by A so that a huge A
  // (heavy overload) cannot overflow; B underflows to 0 far below capacity.
  const double r = std::exp(-p.log_a);
  p.wait = b == 0 ? 0 : clamp01(1 / (1 + (1 / b - 1) * r));
  // P(answered after waiting) = pi_N x e^y y^{-x-1} gamma(x+1, y) = answered_after(0).
  p.served_w = std::min(p.wait, p.answered_after(0));
  p.abandoned = p.wait - p.served_w;
  return p;
}

std::optional<QueuePrediction> predict(int agents, const Workload& w, double threshold_seconds,
                                       bool with_answered_wait) {
  if (!workload_error(w, true).empty() || agents < 0 || !std::isfinite(threshold_seconds) ||
      threshold_seconds < 0) {
    return std::nullopt;
  }
  QueuePrediction p;
  p.agents = agents;
  p.offered_load = w.arrival_rate * w.handle_time_seconds;
  const double leave_by_t = -std::expm1(-threshold_seconds / w.patience_seconds);
  if (agents == 0) {
    // Nobody answers: every contact waits until it gives up.
    p.wait_probability = 1;
    p.abandon_probability = 1;
    p.mean_wait_seconds = w.patience_seconds;
    p.service_level = {.all = 0, .answered_only = std::nullopt, .removed_within = leave_by_t};
    return p;
  }
  p.occupancy = 0;
  if (w.arrival_rate == 0) {  // nobody waits; service levels stay 1
    p.mean_answered_wait_seconds = 0;
    return p;
  }
  const Palm m = palm(agents, w);
  const double answered = 1 - m.abandoned;
  const double answered_within =
      clamp01((1 - m.wait) + m.served_w - m.answered_after(threshold_seconds));
  p.wait_probability = m.wait;
  p.abandon_probability = m.abandoned;
  p.mean_wait_seconds = m.abandoned * w.patience_seconds;
  p.occupancy = p.offered_load * answered / agents;
  p.service_level.all = answered_within;
  p.service_level.answered_only =
      answered > 0 ? std::optional(clamp01(answered_within / answered)) : std::nullopt;
  // P(W > T) = P(V > T, patience > T) = e^{-theta T} P(V > T).
  p.service_level.removed_within =
      clamp01(1 - (1 - leave_by_t) * m.offered_wait_above(threshold_seconds));
  if (with_answered_wait && answered > 0) {
    const double waited = m.answered_wait_sum();
    if (std::isfinite(waited)) p.mean_answered_wait_seconds = waited / answered;
  }
  return p;
}

}  // namespace

namespace detail {

double log_palm_a(double x, double y) {
  if (y <= 0) return 0;
  if (y <= x + 1) {
    // Terms y^j / prod (x + k) decrease from j = 1 on: sum until negligible.
    double term = 1;
    double sum = 1;
    for (double j = 1; j < 1e8; ++j) {
      term *= y / (x + j);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return std::log(sum);
  }
  // Here gamma_p(x, y) = gamma(x, y) / Gamma(x) >= ~1/2: its log is safe, and
  // log A = log x + y - x log y + log Gamma(x) + log P(x, y).
  return std::log(x) + y - x * std::log(y) + boost::math::lgamma(x, Quiet()) +
         std::log(boost::math::gamma_p(x, y, Quiet()));
}

std::optional<QueuePrediction> erlang_a_core(int agents, const Workload& w,
                                             double threshold_seconds) {
  return predict(agents, w, threshold_seconds, false);
}

}  // namespace detail

std::optional<QueuePrediction> erlang_a(int agents, const Workload& w, double threshold_seconds) {
  return predict(agents, w, threshold_seconds, true);
}

}  // namespace ccmon::core::forecast
