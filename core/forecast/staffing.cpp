// Staffing search and concurrency. See staffing.hpp.
#include "core/forecast/staffing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/forecast/erlang_a_detail.hpp"

namespace ccmon::core::forecast {

std::string_view target_error(const ServiceTarget& t) {
  if (!std::isfinite(t.threshold_seconds) || t.threshold_seconds < 0) {
    return "service-level threshold must be a finite number of seconds >= 0 "
           "(docs/forecasting.md)";
  }
  if (!std::isfinite(t.ratio) || t.ratio <= 0 || t.ratio >= 1) {
    return "service-level target ratio must be above 0 and below 1 (docs/forecasting.md)";
  }
  if (t.max_occupancy &&
      (!std::isfinite(*t.max_occupancy) || *t.max_occupancy <= 0 || *t.max_occupancy > 1)) {
    return "maximum occupancy must be above 0 and at most 1 (docs/forecasting.md)";
  }
  return {};
}

namespace {

bool meets(const std::optional<QueuePrediction>& p, const ServiceTarget& t) {
  if (!p || p->saturated) return false;
  const auto sl = service_level(p->service_level, t.basis);
  if (!sl || *sl < t.ratio) return false;
  return !t.max_occupancy || (p->occupancy && *p->occupancy <= *t.max_occupancy);
}

}  // namespace

std::optional<int> servers_required(Model model, const Workload& w, const ServiceTarget& t) {
  if (!workload_error(w, model == Model::kErlangA).empty() || !target_error(t).empty()) {
    return std::nullopt;
  }
  if (w.arrival_rate == 0) return 0;
  const auto ok = [&](int n) {
    return meets(model == Model::kErlangC ? erlang_c(n, w, t.threshold_seconds)
                                          : detail::erlang_a_core(n, w, t.threshold_seconds),
                 t);
  };
  // Known failures, where the search starts: N = 0 (nobody answers);
  // Erlang C needs N > A. In Erlang A busy agents (the carried load
  // A (1 - P(Ab))) are at most N, so answered within T / arrivals <=
  // P(answered) <= N / A: below ratio x A agents the kAll target is missed.
  const double load = w.arrival_rate * w.handle_time_seconds;
  if (load >= kMaxServers) return std::nullopt;
  int bad = 0;
  if (model == Model::kErlangC) {
    bad = static_cast<int>(std::floor(load));
  } else if (t.basis == ServiceLevelBasis::kAll) {
    bad = std::max(0, static_cast<int>(std::ceil(t.ratio * load)) - 1);
  }
  // Exponential search for a good N, then bisection of (bad, good].
  std::int64_t step = 1;
  std::int64_t good = bad + 1;
  while (!ok(static_cast<int>(good))) {
    bad = static_cast<int>(good);
    step *= 2;
    good = bad + step;
    if (good > kMaxServers) {
      good = kMaxServers;
      if (bad >= kMaxServers || !ok(kMaxServers)) return std::nullopt;
      break;
    }
  }
  int hi = static_cast<int>(good);
  while (hi - bad > 1) {
    const int mid = bad + (hi - bad) / 2;
    (ok(mid) ? hi : bad) = mid;
  }
  return hi;
}

int servers_for_agents(int agents, int concurrency) {
  const std::int64_t s = static_cast<std::int64_t>(std::max(agents, 0)) * std::max(concurrency, 1);
  return static_cast<int>(std::min<std::int64_t>(s, kMaxServers));
}

int agents_for_servers(int servers, int concurrency) {
  const int c = std::max(concurrency, 1);
  return (std::max(servers, 0) + c - 1) / c;
}

}  // namespace ccmon::core::forecast
