// Erlang A (M/M/N+M) against closed-form special cases, published limits and
// the independent reference implementation (tests/support/erlang_reference.py:
// birth-death sums, first-step analysis and uniformisation instead of the
// incomplete gamma function; its self-test checks it on published values).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/forecast/erlang.hpp"

namespace ccmon::core::forecast {
namespace {

double phi(double x) {
  return std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi);
}
double Phi(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

TEST_CASE("Erlang A with patience equal to handle time is the M/M/infinity queue", "[forecast]") {
  // With theta = mu every contact in the system leaves at rate mu whether
  // served or waiting, so the number present is Poisson(A) whatever N
  // (Mandelbaum & Zeltyn 2007, sec. 3). By PASTA: P(W > 0) = P(K >= N) and
  // P(Ab) = theta E[(K - N)+] / lambda = E[(K - N)+] / A.
  // A = 10 erlangs, N = 10: P(K <= 9) = 0.457930 (Poisson tables), so
  // P(W > 0) = 0.542070; E[(K - N)+] computed below by direct summation.
  const double a = 10;
  const int n = 10;
  double p_k = std::exp(-a);  // P(K = 0)
  double below = 0;           // P(K < N)
  double short_by = 0;        // E[(N - K)+]
  for (int k = 0; k < n; ++k) {
    below += p_k;
    short_by += (n - k) * p_k;
    p_k *= a / (k + 1);
  }
  REQUIRE(below == Approx(0.457930).margin(1e-6));
  // E[(K - N)+] = E[K] - N + E[(N - K)+] = 10 - 10 + short_by.
  const double excess = a - n + short_by;
  const auto p = erlang_a(
      n, Workload{.arrival_rate = a / 300, .handle_time_seconds = 300, .patience_seconds = 300},
      20);
  REQUIRE(p);
  CHECK(p->wait_probability == Approx(1 - below).epsilon(1e-12));
  CHECK(p->abandon_probability == Approx(excess / a).epsilon(1e-10));
  // E[W] = P(Ab) / theta (Little's law on the queue; M&Z 2007 sec. 4.6).
  CHECK(p->mean_wait_seconds == Approx(excess / a * 300).epsilon(1e-10));
  CHECK(*p->occupancy == Approx((1 - excess / a) * a / n).epsilon(1e-10));
}

TEST_CASE("Erlang A tends to Erlang C as patience grows", "[forecast]") {
  // theta -> 0 removes abandonment (M&Z 2007 sec. 4): with a patience of
  // 10^9 s (theta = 1e-9 /s) the published Erlang C example (Bromley:
  // E_C = 0.2387, ASA 8.184 s, P(W <= 15 s) = 0.8459) must reappear.
  const Workload w{
      .arrival_rate = 360.0 / 1800, .handle_time_seconds = 240, .patience_seconds = 1e9};
  const auto a = erlang_a(55, w, 15);
  const auto c = erlang_c(55, w, 15);
  REQUIRE(a);
  REQUIRE(c);
  CHECK(a->wait_probability == Approx(0.2387).margin(5e-5));
  CHECK(a->mean_wait_seconds == Approx(8.184).margin(5e-4));
  CHECK(*a->mean_answered_wait_seconds == Approx(8.184).margin(5e-4));
  CHECK(a->service_level.all == Approx(0.8459).margin(5e-5));
  CHECK(a->abandon_probability < 1e-7);
  // The gap to Erlang C is O(theta): it shrinks about tenfold per tenfold
  // longer patience (reference: E[W] 8.1834728 s at 10^7 s, 8.1839762 s at
  // 10^8 s, 8.1840265 s at 10^9 s, against Erlang C's 8.1840321 s).
  double previous_gap = 1;
  for (const double patience : {1e7, 1e8, 1e9}) {
    CAPTURE(patience);
    Workload v = w;
    v.patience_seconds = patience;
    const double gap = c->mean_wait_seconds - erlang_a(55, v, 15)->mean_wait_seconds;
    CHECK(gap > 0);
    CHECK(gap < previous_gap / 5);
    CHECK(gap < 1e-3 * 1e7 / patience);
    previous_gap = gap;
  }
  // Shorter patience, more abandons, shorter waits: monotone in theta.
  double previous_wait = a->mean_wait_seconds;
  for (const double patience : {1e5, 1e4, 600.0, 120.0, 30.0}) {
    CAPTURE(patience);
    Workload v = w;
    v.patience_seconds = patience;
    const auto p = erlang_a(55, v, 15);
    REQUIRE(p);
    CHECK(p->mean_wait_seconds < previous_wait);
    previous_wait = p->mean_wait_seconds;
  }
}

TEST_CASE("Erlang A at 10,050 agents matches the Garnett-Mandelbaum-Reiman limit", "[forecast]") {
  // Garnett, Mandelbaum & Reiman (2002), Theorem / eq. (QED regime): with
  // N = R + beta sqrt(R), R = lambda / mu,
  //   P(W > 0) -> [1 + sqrt(theta/mu) h(beta sqrt(mu/theta)) / h(-beta)]^{-1},
  //   h(x) = phi(x) / (1 - Phi(x)) (the Garnett function),
  //   sqrt(N) P(Ab) -> P(W > 0) sqrt(theta/mu) [h(beta sqrt(mu/theta)) - beta sqrt(mu/theta)].
  // R = 10,000, beta = 0.5 (N = 10,050), theta/mu = 1/4 (AHT 100 s, patience 400 s):
  // h(1) = 1.525135, h(-0.5) = 0.509160, P(W > 0) -> 1 / (1 + 0.5 * 2.995400) = 0.400369.
  const auto h = [](double x) { return phi(x) / (1 - Phi(x)); };
  const double wait_limit = 1 / (1 + 0.5 * h(1) / h(-0.5));
  REQUIRE(wait_limit == Approx(0.400369).margin(1e-6));
  const double abandon_limit = wait_limit * 0.5 * (h(1) - 1) / std::sqrt(10'050.0);
  const auto p = erlang_a(
      10'050, Workload{.arrival_rate = 100, .handle_time_seconds = 100, .patience_seconds = 400},
      20);
  REQUIRE(p);
  // Finite-N corrections are O(1/sqrt(N)) = 1 %.
  CHECK(p->wait_probability == Approx(wait_limit).epsilon(0.01));
  CHECK(p->abandon_probability == Approx(abandon_limit).epsilon(0.01));
  // Reference: P(W > 0) = 0.4015895625646, P(Ab) = 0.00105297624100564.
  CHECK(p->wait_probability == Approx(0.4015895625646).epsilon(1e-9));
  CHECK(p->abandon_probability == Approx(0.00105297624100564).epsilon(1e-8));
}

TEST_CASE("Erlang A far above capacity follows the fluid limit and stays finite", "[forecast]") {
  // Efficiency-driven regime (Whitt 2004, "Efficiency-driven heavy-traffic
  // approximations for many-server queues with abandonments", Mgmt Sci 50;
  // GMR 2002): with rho = lambda / (N mu) > 1 and many agents, P(W > 0) -> 1,
  // P(Ab) -> 1 - 1/rho and E[W] -> P(Ab) / theta.
  // N = 2,000, AHT 200 s, 12 contacts/s: R = 2,400, rho = 1.2, P(Ab) -> 1/6;
  // patience 100 s: E[W] -> 16.67 s.
  const auto p = erlang_a(
      2000, Workload{.arrival_rate = 12, .handle_time_seconds = 200, .patience_seconds = 100}, 20);
  REQUIRE(p);
  CHECK(p->wait_probability == Approx(1).margin(1e-6));
  CHECK(p->abandon_probability == Approx(1.0 / 6).epsilon(1e-6));
  CHECK(p->mean_wait_seconds == Approx(100.0 / 6).epsilon(1e-6));
  // Reference: ASA 18.182164013214 s, answered within 20 s / arrivals
  // 0.59879676748406, P(W <= 20 s) 0.76073127831622.
  CHECK(*p->mean_answered_wait_seconds == Approx(18.182164013214).epsilon(1e-7));
  CHECK(p->service_level.all == Approx(0.59879676748406).epsilon(1e-9));
  CHECK(p->service_level.removed_within == Approx(0.76073127831622).epsilon(1e-9));
  // Answered-only is all / P(answered) = 0.598797 / (5/6) = 0.718556.
  CHECK(*p->service_level.answered_only == Approx(0.59879676748406 * 6 / 5).epsilon(1e-8));
}

TEST_CASE("Erlang A at 1,000 agents and a mid-size queue agree with the reference", "[forecast]") {
  struct Case {
    int agents;
    Workload w;
    double threshold;
    // Reference values (tests/support/erlang_reference.py).
    double wait, abandon, mean_wait, asa, sl_all, sl_removed;
  };
  const Case cases[] = {
      {1000,
       {980.0 / 300, 300, 300},
       20,
       0.2656040388821244,
       0.005089761420949093,
       1.5269284262847278,
       1.509973791248282,
       0.9916721361104343,
       0.9967295297856053},
      {50,
       {0.25, 180, 120},
       20,
       0.22628519388867382,
       0.024030391538009503,
       2.8836469845611403,
       2.6835652424099576,
       0.9314837227022446,
       0.9516212556958251},
  };
  for (const Case& c : cases) {
    CAPTURE(c.agents);
    const auto p = erlang_a(c.agents, c.w, c.threshold);
    REQUIRE(p);
    CHECK(p->wait_probability == Approx(c.wait).epsilon(1e-9));
    CHECK(p->abandon_probability == Approx(c.abandon).epsilon(1e-8));
    CHECK(p->mean_wait_seconds == Approx(c.mean_wait).epsilon(1e-8));
    CHECK(*p->mean_answered_wait_seconds == Approx(c.asa).epsilon(1e-7));
    CHECK(p->service_level.all == Approx(c.sl_all).epsilon(1e-9));
    CHECK(p->service_level.removed_within == Approx(c.sl_removed).epsilon(1e-9));
    // Answered-only = all / (1 - P(Ab)).
    CHECK(*p->service_level.answered_only == Approx(c.sl_all / (1 - c.abandon)).epsilon(1e-9));
  }
}

TEST_CASE("Erlang A with zero agents or zero arrivals", "[forecast]") {
  // No agents: everybody waits until their patience runs out.
  const Workload w{.arrival_rate = 0.1, .handle_time_seconds = 100, .patience_seconds = 60};
  const auto none = erlang_a(0, w, 20);
  REQUIRE(none);
  CHECK_FALSE(none->saturated);  // abandonment keeps Erlang A stable
  CHECK(none->wait_probability == 1);
  CHECK(none->abandon_probability == 1);
  CHECK(none->mean_wait_seconds == 60);
  CHECK_FALSE(none->mean_answered_wait_seconds);
  CHECK(none->service_level.all == 0);
  CHECK_FALSE(none->service_level.answered_only);
  // Within 20 s, a contact with Exp(mean 60 s) patience has left: 1 - e^{-1/3} = 0.283469.
  CHECK(none->service_level.removed_within == Approx(1 - std::exp(-1.0 / 3)).epsilon(1e-12));
  CHECK_FALSE(none->occupancy);
  Workload idle_w = w;
  idle_w.arrival_rate = 0;
  const auto idle = erlang_a(3, idle_w, 20);
  REQUIRE(idle);
  CHECK(idle->wait_probability == 0);
  CHECK(idle->abandon_probability == 0);
  CHECK(idle->service_level.all == 1);
  CHECK(*idle->mean_answered_wait_seconds == 0);
}

TEST_CASE("Erlang A needs a finite positive patience", "[forecast]") {
  const Workload w{.arrival_rate = 0.1, .handle_time_seconds = 100, .patience_seconds = 0};
  CHECK_FALSE(erlang_a(5, w, 20));
  Workload inf = w;
  inf.patience_seconds = std::numeric_limits<double>::infinity();
  CHECK_FALSE(erlang_a(5, inf, 20));
}

}  // namespace
}  // namespace ccmon::core::forecast
