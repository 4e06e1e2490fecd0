// Erlang B and Erlang C against published values and hand computations.
// Sources are cited per case; "reference" means the independent Python
// implementation tests/support/erlang_reference.py (state-by-state sums, a
// different method), whose own self-test checks it against the same
// published values.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/forecast/erlang.hpp"

namespace ccmon::core::forecast {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Standard normal density and distribution, for the Halfin-Whitt limit.
double phi(double x) {
  return std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi);
}
double Phi(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

TEST_CASE("Erlang B matches the published 1 % grade-of-service traffic table", "[forecast]") {
  // Erlang B tables (e.g. ITU-T E-series traffic tables, reproduced in
  // Cooper, "Introduction to Queueing Theory", and every Erlang B table):
  // offered load in erlangs that gives a blocking probability of 1 % with N
  // circuits, to three decimals. Rounding the load to 3 decimals moves B by
  // less than 1e-5 at these sizes.
  struct Row {
    int n;
    double load;
  };
  for (const Row r : {Row{10, 4.461}, Row{20, 12.031}, Row{50, 37.901}, Row{100, 84.064}}) {
    CAPTURE(r.n, r.load);
    CHECK(erlang_b(r.n, r.load) == Approx(0.01).margin(1e-5));
  }
}

TEST_CASE("Erlang B and C by hand for two servers and one erlang", "[forecast]") {
  // B(2, 1) = (1/2!) / (1 + 1 + 1/2) = 0.5 / 2.5 = 0.2.
  CHECK(erlang_b(2, 1.0) == Approx(0.2).epsilon(1e-14));
  // C(2, 1) = N B / (N - A (1 - B)) = 0.4 / (2 - 0.8) = 1/3.
  // Equivalently (A^N/N!)(N/(N-A)) / (sum_{k<N} A^k/k! + that) = 1 / (2 + 1) = 1/3.
  const auto p = erlang_c(2, Workload{.arrival_rate = 1.0 / 60, .handle_time_seconds = 60}, 20);
  REQUIRE(p);
  CHECK_FALSE(p->saturated);
  CHECK(p->wait_probability == Approx(1.0 / 3).epsilon(1e-14));
  // E[W] = C AHT / (N - A) = (1/3) 60 / 1 = 20 s.
  CHECK(p->mean_wait_seconds == Approx(20).epsilon(1e-13));
  // P(W <= 20) = 1 - (1/3) exp(-(2 - 1) 20 / 60) = 1 - 0.238844... = 0.761155...
  CHECK(p->service_level.all == Approx(1 - std::exp(-1.0 / 3) / 3).epsilon(1e-14));
  CHECK(*p->occupancy == Approx(0.5));
}

TEST_CASE("Erlang C with one agent is the textbook M/M/1 queue", "[forecast]") {
  // M/M/1 (Gross & Harris, "Fundamentals of Queueing Theory", sec. 2.2):
  // P(W > 0) = rho, Wq = rho / (mu - lambda), P(Wq <= t) = 1 - rho e^{-(mu-lambda) t}.
  // lambda = 1/60 /s, AHT 30 s: rho = 0.5, mu - lambda = 1/60, Wq = 0.5 * 60 = 30 s.
  const auto p = erlang_c(1, Workload{.arrival_rate = 1.0 / 60, .handle_time_seconds = 30}, 60);
  REQUIRE(p);
  CHECK(p->wait_probability == Approx(0.5).epsilon(1e-14));
  CHECK(p->mean_wait_seconds == Approx(30).epsilon(1e-13));
  // 1 - 0.5 e^{-1} = 0.816060...
  CHECK(p->service_level.all == Approx(1 - 0.5 * std::exp(-1.0)).epsilon(1e-14));
}

TEST_CASE("Erlang C reproduces the published 55-agent worked example", "[forecast]") {
  // L. Bromley, "The Erlang-C formula" worked example (call-centre Erlang C
  // tutorial, reproduced with Maxima's erlang package): 360 calls per half
  // hour, 4 min average duration, 55 agents, 15 s target. Published:
  // traffic 48 erlangs, occupancy 0.873, E_C = 0.2387, ASA 8.184 s,
  // P(wait <= 15 s) = 0.8459.
  const Workload w{.arrival_rate = 360.0 / 1800, .handle_time_seconds = 240};
  const auto p = erlang_c(55, w, 15);
  REQUIRE(p);
  CHECK(p->offered_load == Approx(48));
  CHECK(*p->occupancy == Approx(0.873).margin(5e-4));
  CHECK(p->wait_probability == Approx(0.2387).margin(5e-5));
  CHECK(p->mean_wait_seconds == Approx(8.184).margin(5e-4));
  CHECK(*p->mean_answered_wait_seconds == Approx(8.184).margin(5e-4));
  CHECK(p->service_level.all == Approx(0.8459).margin(5e-5));
  // Without abandonment the three service-level variants are one.
  CHECK(*p->service_level.answered_only == p->service_level.all);
  CHECK(p->service_level.removed_within == p->service_level.all);
}

TEST_CASE("Erlang C at 1,000 and 10,000 agents: no overflow, Halfin-Whitt limit", "[forecast]") {
  // Halfin & Whitt (1981), "Heavy-traffic limits for queues with many
  // exponential servers", Oper. Res. 29: with N = A + beta sqrt(A),
  // P(W > 0) -> [1 + beta Phi(beta) / phi(beta)]^{-1} as A grows; the error
  // shrinks like 1/sqrt(A). beta = 1: 1 / (1 + 0.841345 / 0.241971) = 0.223361.
  const double limit = 1 / (1 + Phi(1) / phi(1));
  REQUIRE(limit == Approx(0.223361).margin(1e-6));
  // A = 10,000 erlangs, N = 10,100 (AHT 100 s, 100 contacts/s).
  const auto big = erlang_c(10'100, Workload{.arrival_rate = 100, .handle_time_seconds = 100}, 20);
  REQUIRE(big);
  CHECK(std::isfinite(big->wait_probability));
  CHECK(big->wait_probability == Approx(limit).margin(0.003));
  // Reference (independent implementation): 0.2247629064667.
  CHECK(big->wait_probability == Approx(0.2247629064667).epsilon(1e-9));

  // A = 980 erlangs on N = 1,000 agents (AHT 300 s); reference values:
  // P(W > 0) 0.41220029236528, ASA 6.183004385479 s, P(W <= 20) 0.89134518260205.
  const auto p =
      erlang_c(1000, Workload{.arrival_rate = 980.0 / 300, .handle_time_seconds = 300}, 20);
  REQUIRE(p);
  CHECK(p->wait_probability == Approx(0.41220029236528).epsilon(1e-9));
  CHECK(p->mean_wait_seconds == Approx(6.183004385479).epsilon(1e-9));
  CHECK(p->service_level.all == Approx(0.89134518260205).epsilon(1e-9));
}

TEST_CASE("Erlang C at or above capacity is saturated, never NaN", "[forecast]") {
  // A = N exactly (10 erlangs, 10 agents) and A > N: the M/M/N queue has no
  // steady state (rho >= 1): every contact waits, waits grow without bound.
  for (const double load : {10.0, 12.5, 1e6}) {
    CAPTURE(load);
    const auto p =
        erlang_c(10, Workload{.arrival_rate = load / 100, .handle_time_seconds = 100}, 20);
    REQUIRE(p);
    CHECK(p->saturated);
    CHECK(p->wait_probability == 1);
    CHECK(p->mean_wait_seconds == kInf);
    CHECK(*p->mean_answered_wait_seconds == kInf);
    CHECK(p->service_level.all == 0);
    CHECK(*p->occupancy == 1);
  }
  // Just below capacity is finite: A = 9.999, N = 10.
  const auto near = erlang_c(10, Workload{.arrival_rate = 0.09999, .handle_time_seconds = 100}, 20);
  REQUIRE(near);
  CHECK_FALSE(near->saturated);
  CHECK(std::isfinite(near->mean_wait_seconds));
  CHECK(near->mean_wait_seconds > 9e4);  // C AHT / (N - A), C ~ 1: ~ 100 / 0.001
}

TEST_CASE("Erlang C with zero agents or zero arrivals", "[forecast]") {
  // Zero agents: nobody is ever answered.
  const auto none = erlang_c(0, Workload{.arrival_rate = 0.1, .handle_time_seconds = 100}, 20);
  REQUIRE(none);
  CHECK(none->saturated);
  CHECK(none->wait_probability == 1);
  CHECK(none->mean_wait_seconds == kInf);
  CHECK_FALSE(none->occupancy);  // undefined with no agents
  // Zero agents and zero arrivals: still nobody to answer a contact.
  CHECK(erlang_c(0, Workload{.arrival_rate = 0, .handle_time_seconds = 100}, 20)->saturated);
  // Zero arrivals with agents: a contact arriving now is answered at once.
  const auto idle = erlang_c(5, Workload{.arrival_rate = 0, .handle_time_seconds = 100}, 20);
  REQUIRE(idle);
  CHECK_FALSE(idle->saturated);
  CHECK(idle->wait_probability == 0);
  CHECK(idle->mean_wait_seconds == 0);
  CHECK(idle->service_level.all == 1);
  CHECK(*idle->occupancy == 0);
}

TEST_CASE("bad inputs give no prediction and a message naming the field", "[forecast]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Workload ok{.arrival_rate = 0.1, .handle_time_seconds = 100, .patience_seconds = 60};
  CHECK(workload_error(ok, true).empty());
  Workload w = ok;
  w.arrival_rate = nan;
  CHECK(workload_error(w, false).find("arrival rate") != std::string_view::npos);
  CHECK_FALSE(erlang_c(5, w, 20));
  w = ok;
  w.arrival_rate = -1;
  CHECK_FALSE(erlang_c(5, w, 20));
  w = ok;
  w.handle_time_seconds = 0;
  CHECK(workload_error(w, false).find("handle time") != std::string_view::npos);
  CHECK_FALSE(erlang_c(5, w, 20));
  w = ok;
  w.patience_seconds = kInf;
  CHECK(workload_error(w, false).empty());  // Erlang C ignores patience
  CHECK(workload_error(w, true).find("patience") != std::string_view::npos);
  CHECK_FALSE(erlang_c(-1, ok, 20));
  CHECK_FALSE(erlang_c(5, ok, -1));
  CHECK_FALSE(erlang_c(5, ok, nan));
}

}  // namespace
}  // namespace ccmon::core::forecast
