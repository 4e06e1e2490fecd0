// What the daemon's forecast (docs/forecasting.md) takes from the
// configuration: the `forecast` and `queues` keys. Plain data: config/ builds
// it from YAML, tests build it by hand.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace ccmon::core {

// Teams whose agents serve the queue x channel pairs the globs match
// (`queues:` in the configuration). Where several entries match a series,
// their teams add up.
struct QueueTeams {
  std::string queue = "*";    // glob: '*' and '?'
  std::string channel = "*";  // glob
  std::vector<std::string> teams;
};

struct PredictionConfig {
  // Trailing windows (names of kpis.windows) the inputs are read from.
  std::string arrival_window = "15m";  // arrival rate and patience
  std::string handle_time_window = "1h";
  std::string handle_time_fallback_window = "24h";
  // "Too few": below this many contacts handled in handle_time_window, the
  // handle time comes from the fallback window (when it has more).
  double min_handled = 10;
  // Without a `queues` entry, agents who answered the series within this
  // long (and are not away or offline since) count as serving it.
  Duration answered_lookback = hours(1);
  // At-risk look-ahead of SLA rules, seconds.
  double horizon_seconds = 300;
  // Service-level target ratio of a series that no service_level_ratio rule
  // (op >= or >) covers; the threshold T is the series' own.
  double target_ratio = 0.8;
  std::optional<double> max_occupancy;  // in (0, 1]; none: no cap
  // Contacts one agent handles at once, by channel; unlisted channels: 1.
  std::vector<std::pair<std::string, int>> concurrency;
  std::vector<QueueTeams> queues;

  // Whether some series may have no `queues` entry, so that the agents who
  // answered it must be remembered (RecentAnswerers); false with a
  // catch-all entry (queue "*", channel "*"), which spares that work.
  bool needs_answerers() const {
    for (const auto& q : queues) {
      if (q.queue == "*" && q.channel == "*") return false;
    }
    return true;
  }

  int concurrency_of(const std::string& channel) const {
    for (const auto& [c, k] : concurrency) {
      if (c == channel) return k;
    }
    return 1;
  }
};

}  // namespace ccmon::core
