// Hand-built snapshots for SLA tests: two windows ("5m", "15m") and series
// whose KPIs are set one by one.
#pragma once

#include <optional>
#include <string>

#include "core/engine/snapshot.hpp"
#include "core/kpi.hpp"

namespace ccmon::core::testing {

inline constexpr std::size_t k5m = 0;
inline constexpr std::size_t k15m = 1;

inline SeriesSnapshot make_series(std::string queue, std::string channel) {
  SeriesSnapshot s;
  s.queue = std::move(queue);
  s.channel = std::move(channel);
  s.windows.resize(2);
  return s;
}

inline void set_kpi(SeriesSnapshot& s, std::size_t window, Kpi kpi, std::optional<double> value,
                    double volume) {
  s.windows[window].kpis[static_cast<std::size_t>(kpi)] = KpiValue{value, volume};
}

inline void set_live(SeriesSnapshot& s, LiveKpi kpi, double value) {
  s.live[static_cast<std::size_t>(kpi)] = value;
}

inline Snapshot make_snapshot(Timestamp now, std::vector<SeriesSnapshot> series) {
  Snapshot snap;
  snap.now = now;
  snap.windows = {"5m", "15m"};
  snap.series = std::move(series);
  return snap;
}

// One series "sales"/"voice" whose 15m service level is `value` over `volume`.
inline Snapshot service_level(Timestamp now, std::optional<double> value, double volume = 100) {
  SeriesSnapshot s = make_series("sales", "voice");
  set_kpi(s, k15m, Kpi::kServiceLevelRatio, value, volume);
  return make_snapshot(now, {s});
}

}  // namespace ccmon::core::testing
