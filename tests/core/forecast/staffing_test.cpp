// Agents required, concurrency and the per-queue bundle. Expected values:
// hand computations, the published Erlang C example, and the independent
// reference (tests/support/erlang_reference.py) for the service level just
// below and at the answer.
#include "core/forecast/staffing.hpp"

#include <catch2/catch.hpp>
#include <limits>

#include "core/forecast/queue_forecast.hpp"

namespace ccmon::core::forecast {
namespace {

TEST_CASE("agents required by Erlang C, by hand", "[forecast]") {
  // A = 0.5 erlang, T = 0: service level = 1 - C(N, 0.5).
  // N = 1: C = rho = 0.5 -> 50 %. N = 2: B(2, .5) = .125 / 1.625 = 1/13,
  // C = 2 (1/13) / (2 - .5 (12/13)) = (2/13) / (20/13) = 0.1 -> 90 %.
  const Workload w{.arrival_rate = 0.5 / 100, .handle_time_seconds = 100};
  ServiceTarget t{.threshold_seconds = 0, .ratio = 0.8};
  CHECK(servers_required(Model::kErlangC, w, t) == 2);
  t.ratio = 0.4;  // N = 1 already gives 50 %
  CHECK(servers_required(Model::kErlangC, w, t) == 1);
  t.ratio = 0.95;  // N = 3: B(3,.5) = (1/48) / (1 + .5 + .125 + 1/48) = 0.012658,
                   // C = 3 B / (3 - .5 (1 - B)) = 0.015190 -> 98.5 %
  CHECK(servers_required(Model::kErlangC, w, t) == 3);
}

TEST_CASE("agents required for the published 55-agent example", "[forecast]") {
  // Bromley's example (48 erlangs, 15 s): 55 agents give 84.59 % (published);
  // 54 give 79.29 % (reference), so 80 % in 15 s needs 55 agents.
  const Workload w{.arrival_rate = 0.2, .handle_time_seconds = 240};
  CHECK(servers_required(Model::kErlangC, w, {.threshold_seconds = 15, .ratio = 0.8}) == 55);
  // A maximum occupancy of 80 % needs N >= 48 / 0.8 = 60.
  CHECK(servers_required(Model::kErlangC, w,
                         {.threshold_seconds = 15, .ratio = 0.8, .max_occupancy = 0.8}) == 60);
}

TEST_CASE("agents required at 1,000+ agents by both models", "[forecast]") {
  // Reference service levels around the answers (80 % in 20 s):
  //   980 erlangs, AHT 300 s, patience 300 s: Erlang C N=994 78.42 %, N=995 80.72 %;
  //   Erlang A N=945 79.69 %, N=946 80.55 %.
  //   2,400 erlangs (rho 1.2 at 2,000), AHT 200 s, patience 100 s: Erlang C
  //   N=2412 78.09 %, N=2413 80.72 %; Erlang A N=2058 79.95 %, N=2059 80.16 %.
  const ServiceTarget t{};  // 80 % in 20 s
  const Workload mid{
      .arrival_rate = 980.0 / 300, .handle_time_seconds = 300, .patience_seconds = 300};
  CHECK(servers_required(Model::kErlangC, mid, t) == 995);
  CHECK(servers_required(Model::kErlangA, mid, t) == 946);
  const Workload big{.arrival_rate = 12, .handle_time_seconds = 200, .patience_seconds = 100};
  CHECK(servers_required(Model::kErlangC, big, t) == 2413);
  CHECK(servers_required(Model::kErlangA, big, t) == 2059);
}

TEST_CASE("agents required: the answer meets the target and one fewer does not", "[forecast]") {
  // Property over a grid of loads: whatever the search does, its answer must
  // be the boundary of the model's own service level.
  for (const double load : {0.3, 4.0, 17.5, 48.0, 130.0}) {
    for (const double patience : {30.0, 180.0, 900.0}) {
      for (const auto basis : {ServiceLevelBasis::kAll, ServiceLevelBasis::kAnsweredOnly,
                               ServiceLevelBasis::kRemovedWithin}) {
        CAPTURE(load, patience, static_cast<int>(basis));
        const Workload w{
            .arrival_rate = load / 180, .handle_time_seconds = 180, .patience_seconds = patience};
        const ServiceTarget t{.threshold_seconds = 20, .ratio = 0.8, .basis = basis};
        const auto n = servers_required(Model::kErlangA, w, t);
        REQUIRE(n);
        CHECK(*service_level(erlang_a(*n, w, 20)->service_level, basis) >= 0.8);
        if (*n > 0) {
          const auto below = service_level(erlang_a(*n - 1, w, 20)->service_level, basis);
          CHECK((!below || *below < 0.8));
        }
        const auto c = servers_required(Model::kErlangC, w, t);
        REQUIRE(c);
        CHECK(erlang_c(*c, w, 20)->service_level.all >= 0.8);
        const auto c_below = erlang_c(*c - 1, w, 20);
        CHECK((c_below->saturated || c_below->service_level.all < 0.8));
        // Abandonment only helps the "all arrivals" service level here.
        if (basis != ServiceLevelBasis::kAll) continue;
        CHECK(*n <= *c);
      }
    }
  }
}

TEST_CASE("agents required: no arrivals, invalid targets, out of reach", "[forecast]") {
  const Workload w{.arrival_rate = 0.1, .handle_time_seconds = 100, .patience_seconds = 60};
  Workload idle = w;
  idle.arrival_rate = 0;
  CHECK(servers_required(Model::kErlangC, idle, {}) == 0);
  CHECK(servers_required(Model::kErlangA, idle, {}) == 0);
  CHECK(target_error({.ratio = 1.0}).find("ratio") != std::string_view::npos);
  CHECK_FALSE(servers_required(Model::kErlangC, w, {.ratio = 1.0}));
  CHECK_FALSE(servers_required(Model::kErlangC, w, {.ratio = 0}));
  CHECK_FALSE(servers_required(Model::kErlangC, w, {.threshold_seconds = -1}));
  CHECK_FALSE(servers_required(Model::kErlangC, w, {.max_occupancy = 0.0}));
  CHECK_FALSE(servers_required(Model::kErlangC, w, {.max_occupancy = 1.5}));
  Workload no_patience = w;
  no_patience.patience_seconds = 0;
  CHECK_FALSE(servers_required(Model::kErlangA, no_patience, {}));
  CHECK(servers_required(Model::kErlangC, no_patience, {}));
  // A load of 10^7 erlangs needs more than kMaxServers.
  CHECK_FALSE(
      servers_required(Model::kErlangC, {.arrival_rate = 1e5, .handle_time_seconds = 100}, {}));
}

TEST_CASE("concurrency divides required agents and multiplies serving ones", "[forecast]") {
  CHECK(agents_for_servers(25, 3) == 9);  // ceil(25 / 3)
  CHECK(agents_for_servers(24, 3) == 8);
  CHECK(agents_for_servers(0, 3) == 0);
  CHECK(agents_for_servers(7, 0) == 7);  // concurrency below 1 counts as 1
  CHECK(servers_for_agents(4, 3) == 12);
  CHECK(servers_for_agents(-2, 3) == 0);
  CHECK(servers_for_agents(kMaxServers, 4) == kMaxServers);
}

TEST_CASE("queue forecast bundles both models with the serving agents", "[forecast]") {
  ForecastInput in;
  in.workload = {.arrival_rate = 0.2, .handle_time_seconds = 240, .patience_seconds = 0};
  in.agents_serving = 50;
  in.target = {.threshold_seconds = 15, .ratio = 0.8};
  // Patience unknown: Erlang C only, and it is what best() shows.
  auto f = forecast_queue(in);
  REQUIRE(f.erlang_c.now);
  CHECK_FALSE(f.erlang_a.now);
  CHECK_FALSE(f.erlang_a.agents_required);
  CHECK(f.best() == &*f.erlang_c.now);
  CHECK(f.erlang_c.agents_required == 55);  // as above
  CHECK(f.erlang_c.agents_short == 5);      // 55 - 50
  // Patience known: Erlang A joins and becomes the best estimate.
  in.workload.patience_seconds = 120;
  f = forecast_queue(in);
  REQUIRE(f.erlang_a.now);
  CHECK(f.best() == &*f.erlang_a.now);
  REQUIRE(f.erlang_a.agents_required);
  CHECK(*f.erlang_a.agents_short == *f.erlang_a.agents_required - 50);
  // Chat with 3 contacts per agent: 18 agents are 54 servers; the 55 servers
  // needed by Erlang C take ceil(55 / 3) = 19 agents.
  in.workload.patience_seconds = 0;
  in.agents_serving = 18;
  in.concurrency = 3;
  f = forecast_queue(in);
  CHECK(f.erlang_c.now->agents == 54);
  CHECK(f.erlang_c.agents_required == 19);
  CHECK(f.erlang_c.agents_short == 1);
  // Invalid input: nothing, never NaN.
  in.workload.arrival_rate = std::numeric_limits<double>::quiet_NaN();
  f = forecast_queue(in);
  CHECK_FALSE(f.erlang_c.now);
  CHECK_FALSE(f.erlang_c.agents_required);
  CHECK(f.best() == nullptr);
}

}  // namespace
}  // namespace ccmon::core::forecast
