// Internal to core/forecast: Erlang A without its one costly part.
#pragma once

#include <optional>

#include "core/forecast/erlang.hpp"

namespace ccmon::core::forecast::detail {

// erlang_a() without mean_answered_wait_seconds (left absent), its costliest
// part (a sum over queue lengths); staffing searches need only service levels.
std::optional<QueuePrediction> erlang_a_core(int agents, const Workload& w,
                                             double threshold_seconds);

// log A(x, y), Palm's function (see erlang_a in erlang.hpp), x > 0, y >= 0.
double log_palm_a(double x, double y);

}  // namespace ccmon::core::forecast::detail
