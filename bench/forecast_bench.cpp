// Cost of one forecast tick: forecast_queue (Erlang C and Erlang A with the
// serving agents, agents required by both) for N queues, as the engine
// runner would do every second.
//
// Queues are spread like a real estate of queues: offered loads log-uniform
// from 0.05 to 500 erlangs (a handful of contacts an hour up to hundreds of
// agents), handle times 60-900 s, patience 30-600 s (unknown on one queue in
// five: Erlang C only), a third of the queues digital with concurrency 2-4,
// serving agents within +-20 % of the load.
//   ccmon_forecast_bench [queues=1000] [runs=5]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "core/forecast/queue_forecast.hpp"

using namespace ccmon::core::forecast;

namespace {

// Deterministic generator (no wall-clock seed): runs are comparable.
struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) / 9007199254740992.0;
  }
};

// Process CPU time: the machine is shared, wall time would count others' work.
double cpu_s() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<ForecastInput> make_queues(int count) {
  Rng rng;
  std::vector<ForecastInput> queues(count);
  for (auto& q : queues) {
    const double load = std::exp(rng.uniform(std::log(0.05), std::log(500.0)));
    q.workload.handle_time_seconds = rng.uniform(60, 900);
    q.workload.arrival_rate = load / q.workload.handle_time_seconds;
    q.workload.patience_seconds = rng.uniform(0, 1) < 0.2 ? 0 : rng.uniform(30, 600);
    q.concurrency = rng.uniform(0, 1) < 1.0 / 3 ? static_cast<int>(rng.uniform(2, 5)) : 1;
    q.agents_serving = static_cast<int>(std::lround(load * rng.uniform(0.8, 1.2) / q.concurrency));
  }
  return queues;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (count <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: ccmon_forecast_bench [queues=1000] [runs=5]\n");
    return 2;
  }
  const auto queues = make_queues(count);
  std::vector<double> cpu, wall;
  double worst_queue = 0;
  long checksum = 0;  // keeps the work observable
  for (int r = 0; r < runs; ++r) {
    const double c0 = cpu_s();
    const double w0 = now_s();
    for (const auto& q : queues) {
      const double q0 = r == 0 ? now_s() : 0;
      const QueueForecast f = forecast_queue(q);
      checksum += f.erlang_c.agents_required.value_or(0) + f.erlang_a.agents_required.value_or(0);
      if (r == 0) worst_queue = std::max(worst_queue, now_s() - q0);
    }
    cpu.push_back(cpu_s() - c0);
    wall.push_back(now_s() - w0);
  }
  std::sort(cpu.begin(), cpu.end());
  std::sort(wall.begin(), wall.end());
  std::printf("queues %d, runs %d (checksum %ld)\n", count, runs, checksum);
  std::printf("tick cpu median %.1f ms (min %.1f, max %.1f); wall median %.1f ms\n",
              cpu[cpu.size() / 2] * 1e3, cpu.front() * 1e3, cpu.back() * 1e3,
              wall[wall.size() / 2] * 1e3);
  std::printf("per queue %.1f us (cpu median); slowest queue (first run, wall) %.1f us\n",
              cpu[cpu.size() / 2] / count * 1e6, worst_queue * 1e6);
  return 0;
}
