// Agents required for a service-level target, by Erlang C or Erlang A, and
// the concurrency approximation for digital channels. Pure functions, safe
// from any thread. Models and limits: docs/forecasting.md.
#pragma once

#include <optional>
#include <string_view>

#include "core/forecast/erlang.hpp"

namespace ccmon::core::forecast {

enum class Model { kErlangC, kErlangA };

// A queue's service-level goal: `ratio` of contacts answered within
// `threshold_seconds` (counted per `basis`), default 80 % in 20 s.
struct ServiceTarget {
  double threshold_seconds = 20;  // >= 0
  double ratio = 0.8;             // in (0, 1): 100 % needs infinitely many agents
  ServiceLevelBasis basis = ServiceLevelBasis::kAll;
  // Optional cap on occupancy (carried load / servers), in (0, 1]: staffing
  // so that agents are not busier than this, whatever the service level.
  std::optional<double> max_occupancy = std::nullopt;
};

// Empty when `t` is usable, else a sentence naming the bad field.
std::string_view target_error(const ServiceTarget& t);

// Servers (agents at concurrency 1) searched up to this; beyond, the answer
// is "none" (nullopt). A million is far beyond any single queue.
inline constexpr int kMaxServers = 1'000'000;

// Smallest number of servers N for which the model's service level reaches
// t.ratio and, if set, occupancy <= t.max_occupancy. No arrivals: 0. An
// Erlang C queue at or above capacity never qualifies (N > A always).
// Exponential then binary search over N, relying on the service level and
// the occupancy being monotone in N (more servers make the offered wait
// stochastically smaller); O(N log N) with the Erlang B recursion.
// nullopt when the workload or target is invalid (workload_error /
// target_error; Erlang A needs the patience) or N would exceed kMaxServers.
std::optional<int> servers_required(Model model, const Workload& w, const ServiceTarget& t);

// Concurrency approximation (digital channels): an agent handling up to
// `concurrency` contacts at once counts as that many independent servers,
// each with the measured per-contact handle time. So serving agents give
// agents x concurrency servers, and a requirement of S servers needs
// ceil(S / concurrency) agents. Both require concurrency >= 1 (values below
// are treated as 1); servers_for_agents saturates at kMaxServers.
int servers_for_agents(int agents, int concurrency);
int agents_for_servers(int servers, int concurrency);

}  // namespace ccmon::core::forecast
