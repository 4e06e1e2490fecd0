// Steady-state queueing models of one queue: Erlang C (M/M/N) and Erlang A
// (M/M/N+M, Palm's model with exponential patience). Pure functions of their
// arguments: no state, safe to call from any thread. Units: rates per second,
// times in seconds. Models, assumptions and limits: docs/forecasting.md.
#pragma once

#include <optional>
#include <string_view>

namespace ccmon::core::forecast {

// What a queue is offered, as the models see it.
struct Workload {
  double arrival_rate = 0;         // lambda: contacts offered per second, >= 0
  double handle_time_seconds = 0;  // mean handle time AHT = 1/mu, > 0
  // Mean patience 1/theta (Erlang A only), > 0 and finite. Estimated as
  // abandoned / total time waited by all contacts that left the queue.
  double patience_seconds = 0;
};

// Empty when `w` is usable by Erlang C (and, with `with_patience`, by Erlang
// A); otherwise a sentence naming the bad field (NaN, infinite, negative...).
std::string_view workload_error(const Workload& w, bool with_patience);

// How "answered within T" is counted when some contacts abandon. The names
// follow the KPI's `service_level_formula` (docs/kpis.md); the models know no
// short abandons and no overflows. In Erlang C the three coincide.
enum class ServiceLevelBasis {
  kAll,            // answered within T / all arrivals (formulas `default`, `all`)
  kAnsweredOnly,   // answered within T / answered (`answered_only`)
  kRemovedWithin,  // (answered + abandoned) within T / all arrivals (`removed_within`)
};

struct ServiceLevels {
  double all = 1;  // P(answered, wait <= T)
  std::optional<double> answered_only =
      std::nullopt;           // P(wait <= T | answered); absent if none answered
  double removed_within = 1;  // P(wait <= T), abandoned waits included
};

// Value of the chosen service level, or nothing when it is undefined.
std::optional<double> service_level(const ServiceLevels& s, ServiceLevelBasis basis);

// Steady-state prediction for a contact arriving now at a queue with `agents`
// servers. Never NaN: an overloaded Erlang C queue is flagged `saturated`
// with infinite waits.
struct QueuePrediction {
  int agents = 0;
  double offered_load = 0;  // A = lambda * AHT, erlangs
  // Erlang C only: A >= N with arrivals (or N = 0): the queue grows without
  // bound, every contact waits, waits are +inf, service levels are 0.
  bool saturated = false;
  double wait_probability = 0;     // P(W > 0)
  double abandon_probability = 0;  // P(Ab); 0 in Erlang C
  // E[W] over all arrivals (abandoned contacts count their time to abandon);
  // +inf when saturated.
  double mean_wait_seconds = 0;
  // E[W | answered]: the model's ASA, comparable with the ASA KPI; absent
  // when nobody is answered (N = 0 in Erlang A); +inf when saturated.
  std::optional<double> mean_answered_wait_seconds;
  ServiceLevels service_level;  // at the threshold given to the model
  // Carried load / N = lambda (1 - P(Ab)) AHT / N; absent when N = 0.
  std::optional<double> occupancy;
};

// Erlang B blocking probability B(N, A) for N servers and A erlangs by the
// recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)) (Jagerman 1974,
// "Some properties of the Erlang loss function", Bell Syst. Tech. J. 53):
// every step stays in [0, 1], so it neither overflows nor loses precision at
// thousands of servers. O(N). Requires agents >= 0, load >= 0.
double erlang_b(int agents, double load);

// Erlang C (M/M/N, FCFS, infinite patience). With B = erlang_b(N, A):
//   P(W > 0) = C = N B / (N - A (1 - B))
//   P(W <= T) = 1 - C exp(-(N - A) T / AHT)
//   E[W] = C AHT / (N - A)
// (Erlang 1917; the M/M/c queue of e.g. Gross & Harris, "Fundamentals of
// Queueing Theory"; Koole, "Call Center Optimization" (2013)). No arrivals:
// no wait, service level 1. No agents, or A >= N: saturated. nullopt when workload_error(w, false)
// is not empty, agents < 0 or threshold_seconds < 0 or not finite.
std::optional<QueuePrediction> erlang_c(int agents, const Workload& w, double threshold_seconds);

// Erlang A (M/M/N+M). Steady state of the birth-death chain with death rate
// k mu (k <= N) and N mu + (k - N) theta (k > N), written with Palm's
//   A(x, y) = x e^y y^-x gamma(x, y) = 1 + sum_{j>=1} y^j / prod_{k=1..j}(x + k),
// x = N mu / theta, y = lambda / theta, gamma the lower incomplete gamma
// function, as in Mandelbaum & Zeltyn, "The Palm/Erlang-A queue, with
// applications to call centers" (technical note, 2007), sec. 3-4, and
// Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
// customers", M&SOM 4(3) (2002):
//   pi_N = B / (1 + (A(x, y) - 1) B),  B = erlang_b(N, lambda / mu)
//   P(W > 0) = A(x, y) pi_N
//   P(Ab) = P(W > 0) (1 - (1 - 1 / A(x, y)) / rho),  rho = lambda / (N mu)
//   E[W] = P(Ab) / theta
// Waiting times (derived from the same chain; checked against the
// independent reference tests/support/erlang_reference.py): the offered wait
// V (time to reach an agent if the contact never gave up) satisfies
//   P(V > t) = P(W > 0) gamma(x, y e^{-theta t}) / gamma(x, y),
// the contact waits W = min(V, patience), and integrating e^{-theta v} dP(V <= v)
//   P(answered, V > t) = pi_N x e^y y^{-x-1} gamma(x+1, y e^{-theta t}),
// from which the three service levels follow. E[W | answered] sums, over the
// number j found waiting, the mean time to an agent of an answered contact
// (Laplace transform of the hypoexponential offered wait at theta; see
// erlang_a.cpp). Incomplete gammas are evaluated as log A(x, y): its series
// when y <= x + 1, else Boost.Math's regularised gamma_p and lgamma, so large
// loads and 1,000+ agents neither overflow nor underflow. N = 0: every
// contact waits and abandons. nullopt when workload_error(w, true) is not
// empty, agents < 0 or the threshold is negative or not finite.
std::optional<QueuePrediction> erlang_a(int agents, const Workload& w, double threshold_seconds);

}  // namespace ccmon::core::forecast
