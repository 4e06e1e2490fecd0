// Time-to-breach helpers; expected values computed by hand in the comments.
#include "core/forecast/breach_eta.hpp"

#include <catch2/catch.hpp>
#include <limits>

namespace ccmon::core::forecast {
namespace {

TEST_CASE("oldest-waiting rule: ETA is target minus age", "[forecast]") {
  CHECK(oldest_waiting_breach_eta(45.0, 120) == 75.0);
  CHECK(oldest_waiting_breach_eta(120.0, 120) == 0.0);
  CHECK(oldest_waiting_breach_eta(130.0, 120) == 0.0);        // already breached
  CHECK_FALSE(oldest_waiting_breach_eta(std::nullopt, 120));  // nobody waits
}

TEST_CASE("service-level rule: crossing of the windowed ratio", "[forecast]") {
  // 15 min window: 90 of 100 answered within T (90 %), target 80 %.
  // Model: 0.2 contacts/s complete, 50 % of them within T.
  // num(t) = 90 (1 - t/900) + 0.1 t, den(t) = 100 (1 - t/900) + 0.2 t.
  // num - 0.8 den = 10 - (10/900) t + (0.1 - 0.16) t = 10 - 0.0711111 t
  // -> 0 at t = 10 / 0.0711111 = 140.625 s.
  const WindowCounts now{.numerator = 90, .denominator = 100, .window_seconds = 900};
  const OutcomeFlow flow{.numerator_per_second = 0.1, .denominator_per_second = 0.2};
  const RatioRule rule{.bound = Bound::kAtLeast, .target = 0.8};
  const auto eta = ratio_breach_eta(now, flow, rule);
  REQUIRE(eta);
  CHECK(*eta == Approx(140.625).epsilon(1e-12));
  // Not within a 2-minute horizon.
  CHECK_FALSE(ratio_breach_eta(now, flow, rule, 120));
  // A model at 85 % within T never pulls the ratio below 80 %.
  CHECK_FALSE(ratio_breach_eta(now, {.numerator_per_second = 0.17, .denominator_per_second = 0.2},
                               rule, 3600));
  // Already below target: 0.
  CHECK(ratio_breach_eta({.numerator = 70, .denominator = 100, .window_seconds = 900}, flow,
                         rule) == 0.0);
}

TEST_CASE("abandon-rate rule: upper bound, and the window is shorter than the horizon",
          "[forecast]") {
  // 5 min window: 2 of 100 abandoned; target <= 5 %; model: 0.5 contacts/s,
  // P(Ab) = 10 %. num(t) = 2 (1 - t/300) + 0.05 t, den(t) = 100 (1 - t/300) + 0.5 t.
  // num - 0.05 den = -3 + (-2/300 + 0.05 + 5/300 - 0.025) t = -3 + 0.0353333 t
  // -> 0 at t = 84.9057 s.
  const auto eta = ratio_breach_eta({.numerator = 2, .denominator = 100, .window_seconds = 300},
                                    {.numerator_per_second = 0.05, .denominator_per_second = 0.5},
                                    {.bound = Bound::kAtMost, .target = 0.05}, 600);
  REQUIRE(eta);
  CHECK(*eta == Approx(3 / (0.05 - 2.0 / 300 - 0.025 + 5.0 / 300)).epsilon(1e-12));
  // Crossing after the window has turned over: only at t = window the ratio
  // reaches the model's 10 %; with a 60 s window and 1 % now:
  // num - 0.05 den = -4 + (0.05 - 1/60 - 0.025 + 5/60) t = -4 + 0.0916667 t -> 43.6364 s < 60.
  const auto short_window =
      ratio_breach_eta({.numerator = 1, .denominator = 100, .window_seconds = 60},
                       {.numerator_per_second = 0.05, .denominator_per_second = 0.5},
                       {.bound = Bound::kAtMost, .target = 0.05}, 600);
  REQUIRE(short_window);
  CHECK(*short_window == Approx(4 / 0.0916666666666667).epsilon(1e-9));
}

TEST_CASE("ratio rule: minimum volume and an empty window", "[forecast]") {
  // Empty window, model at 50 % within T against 80 %: breach as soon as the
  // first outcome lands (t -> 0+), reported as 0.
  const OutcomeFlow flow{.numerator_per_second = 0.05, .denominator_per_second = 0.1};
  const RatioRule rule{.bound = Bound::kAtLeast, .target = 0.8};
  CHECK(ratio_breach_eta({.window_seconds = 900}, flow, rule) == 0.0);
  // With min_volume 20 the rule is judged once den(t) = 0.1 t >= 20: t = 200 s.
  RatioRule judged = rule;
  judged.min_volume = 20;
  const auto eta = ratio_breach_eta({.window_seconds = 900}, flow, judged);
  REQUIRE(eta);
  CHECK(*eta == Approx(200));
  // ... which a 120 s horizon does not reach.
  CHECK_FALSE(ratio_breach_eta({.window_seconds = 900}, flow, judged, 120));
  // Volume drains away below the minimum before the ratio would cross: the
  // window holds 30 of 40 (75 % < 80 %, breached) but with no new outcomes
  // den(t) = 40 (1 - t/900) < 30 after t = 225 s, and breached only while
  // judged: now.
  CHECK(ratio_breach_eta({.numerator = 30, .denominator = 40, .window_seconds = 900}, {},
                         {.bound = Bound::kAtLeast, .target = 0.8, .min_volume = 30}) == 0.0);
}

TEST_CASE("ratio rule: bad numbers give no estimate", "[forecast]") {
  const OutcomeFlow flow{.numerator_per_second = 0.1, .denominator_per_second = 0.2};
  const RatioRule rule{.bound = Bound::kAtLeast, .target = 0.8};
  CHECK_FALSE(
      ratio_breach_eta({.numerator = 1, .denominator = 1, .window_seconds = 0}, flow, rule));
  CHECK_FALSE(
      ratio_breach_eta({.numerator = -1, .denominator = 1, .window_seconds = 60}, flow, rule));
  CHECK_FALSE(ratio_breach_eta({.numerator = 1, .denominator = 1, .window_seconds = 60},
                               {.numerator_per_second = std::numeric_limits<double>::infinity()},
                               rule));
}

TEST_CASE("outcome flows from model predictions", "[forecast]") {
  QueuePrediction p;
  p.abandon_probability = 0.1;
  p.mean_answered_wait_seconds = 30;
  p.service_level = {.all = 0.72, .answered_only = 0.8, .removed_within = 0.75};
  const double lambda = 0.5;
  // Service level over all arrivals: 0.72 x 0.5 per second in the numerator.
  auto f = service_level_flow(p, lambda, ServiceLevelBasis::kAll);
  REQUIRE(f);
  CHECK(f->numerator_per_second == Approx(0.36));
  CHECK(f->denominator_per_second == Approx(0.5));
  // Answered only: denominator 0.9 x 0.5 = 0.45, numerator 0.8 x 0.45 = 0.36.
  f = service_level_flow(p, lambda, ServiceLevelBasis::kAnsweredOnly);
  REQUIRE(f);
  CHECK(f->numerator_per_second == Approx(0.36));
  CHECK(f->denominator_per_second == Approx(0.45));
  f = abandon_rate_flow(p, lambda);
  REQUIRE(f);
  CHECK(f->numerator_per_second == Approx(0.05));
  CHECK(f->denominator_per_second == Approx(0.5));
  // ASA: 30 s x 0.45 answered per second of waiting seconds, over 0.45.
  f = asa_flow(p, lambda);
  REQUIRE(f);
  CHECK(f->numerator_per_second == Approx(13.5));
  CHECK(f->denominator_per_second == Approx(0.45));
  // Saturated Erlang C: infinite ASA, no flow.
  p.mean_answered_wait_seconds = std::numeric_limits<double>::infinity();
  CHECK_FALSE(asa_flow(p, lambda));
  p.mean_answered_wait_seconds.reset();
  CHECK_FALSE(asa_flow(p, lambda));
  p.service_level.answered_only.reset();
  CHECK_FALSE(service_level_flow(p, lambda, ServiceLevelBasis::kAnsweredOnly));
}

}  // namespace
}  // namespace ccmon::core::forecast
