// A generated snapshot for checking the /metrics writer against its
// independent reader (snapshot_text_test.cpp): label values that need escaping, undefined KPIs,
// non-integral, huge, negative and non-finite values, deflections, malformed histograms and series
// or teams carrying fewer windows than the snapshot.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "core/engine/snapshot.hpp"

namespace ccmon::core::testing {

class SnapshotGenerator {
 public:
  // `defined_percent`: chance that a windowed or team KPI has a value.
  SnapshotGenerator(std::uint32_t seed, int defined_percent)
      : rng_(seed), defined_percent_(defined_percent) {}

  Snapshot make(int series_count, int team_count, bool malformed) {
    Snapshot snap;
    snap.now = 1'795'338'902'123'456;
    snap.windows = {"5m", "15m", "1h", "24h", "today"};
    snap.wait_bucket_bounds = {0.5, 1, 2.5, 5, 10, 15, 20, 30, 60, 120, 300, 600};
    for (int i = 0; i < series_count; ++i) {
      SeriesSnapshot s;
      s.queue = label("queue", i / 4, malformed);
      s.channel = kChannels[i % 4];
      s.service_level_threshold_s = pick(4) == 0 ? 0.25 : 20.0 * static_cast<double>(1 + pick(3));
      std::size_t windows = snap.windows.size();
      if (malformed && pick(10) == 0) windows = static_cast<std::size_t>(pick(5));
      s.windows.resize(windows);
      for (WindowKpis& w : s.windows) {
        for (KpiValue& v : w.kpis) v = kpi(malformed);
        for (std::int64_t& f : w.sums) f = sum(malformed);
        const int deflections = pick(3);
        for (int d = 0; d < deflections; ++d) {
          w.deflected.emplace_back(label("to", d, malformed), static_cast<std::uint64_t>(pick(50)));
        }
      }
      for (double& v : s.live) v = value(malformed);
      s.offered_total = counter(malformed);
      s.answered_total = counter(malformed);
      s.abandoned_total = counter(malformed);
      s.short_abandoned_total = counter(malformed);
      s.overflowed_total = counter(malformed);
      s.handled_total = counter(malformed);
      s.wait_answered = histogram(snap.wait_bucket_bounds.size(), malformed);
      s.wait_abandoned = histogram(snap.wait_bucket_bounds.size(), malformed);
      snap.series.push_back(std::move(s));
    }
    for (int i = 0; i < team_count; ++i) {
      TeamSnapshot t;
      t.team = label("team", i, malformed);
      for (std::uint64_t& n : t.agents) n = static_cast<std::uint64_t>(pick(100));
      std::size_t windows = snap.windows.size();
      if (malformed && pick(5) == 0) windows = static_cast<std::size_t>(pick(5));
      t.windows.resize(windows);
      for (auto& w : t.windows) {
        for (KpiValue& v : w) v = kpi(malformed);
      }
      // Sums for every window, or (malformed) a different count of them.
      t.sums.resize(malformed && pick(5) == 0 ? static_cast<std::size_t>(pick(6)) : windows);
      for (auto& w : t.sums) {
        for (std::int64_t& f : w) f = sum(malformed);
      }
      snap.teams.push_back(std::move(t));
    }
    snap.stats.tracked_contacts = counter(malformed);
    snap.stats.tracked_cases = counter(malformed);
    snap.stats.tracked_agents = counter(malformed);
    snap.stats.out_of_sequence_total = counter(malformed);
    snap.stats.evicted_contacts_total = counter(malformed);
    snap.stats.evicted_cases_total = counter(malformed);
    snap.stats.evicted_agents_total = counter(malformed);
    snap.stats.series_folded_total = counter(malformed);
    snap.stats.held_events = counter(malformed);
    snap.stats.held_events_evicted_total = counter(malformed);
    snap.stats.tracked_state_bytes = counter(malformed);
    snap.stats.contact_byte_bound_evictions_total = counter(malformed);
    snap.stats.case_byte_bound_evictions_total = counter(malformed);
    snap.stats.agent_byte_bound_evictions_total = counter(malformed);
    return snap;
  }

 private:
  static constexpr const char* kChannels[] = {"voice", "chat", "email", "messaging"};

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  // "queue-7", or with `malformed` sometimes a value Prometheus must escape.
  std::string label(const char* stem, int i, bool malformed) {
    std::string s = std::string(stem) + "-" + std::to_string(i);
    if (malformed && pick(3) == 0) {
      static constexpr const char* kOdd[] = {"\"", "\\", "\n", "é", "a\\\"b\n", " "};
      s += kOdd[pick(6)];
    }
    return s;
  }

  double value(bool malformed) {
    switch (pick(malformed ? 8 : 4)) {
      case 0:
        return static_cast<double>(pick(1000));
      case 1:
        return static_cast<double>(pick(1000)) / 8.0;
      case 2:
        return std::uniform_real_distribution<double>(0, 1)(rng_);
      case 3:
        return std::uniform_real_distribution<double>(0, 1e4)(rng_);
      case 4:
        return -std::uniform_real_distribution<double>(0, 1e20)(rng_);
      case 5:
        return std::numeric_limits<double>::quiet_NaN();
      case 6:
        return pick(2) ? std::numeric_limits<double>::infinity()
                       : -std::numeric_limits<double>::infinity();
      default:
        return 1.5e-7 * static_cast<double>(pick(9) + 1);
    }
  }

  KpiValue kpi(bool malformed) {
    if (pick(100) >= defined_percent_) return {};
    return {value(malformed), 1};
  }

  // A window sum: often 0 (its part then shows only where its KPI is
  // defined), else a count or microseconds; negative when malformed (a late
  // correction can take back more than a window holds).
  std::int64_t sum(bool malformed) {
    if (pick(3) == 0) return 0;
    const std::int64_t n = pick(2) ? pick(1000) : std::int64_t{pick(1'000'000)} * 1'000'003;
    return malformed && pick(10) == 0 ? -n : n;
  }

  std::uint64_t counter(bool malformed) {
    if (malformed && pick(10) == 0) return std::numeric_limits<std::uint64_t>::max() - 1;
    return static_cast<std::uint64_t>(pick(1'000'000));
  }

  Histogram histogram(std::size_t bounds, bool malformed) {
    Histogram h;
    if (malformed && pick(10) == 0) bounds = static_cast<std::size_t>(pick(15));
    std::uint64_t c = 0;
    for (std::size_t i = 0; i < bounds; ++i) {
      c += static_cast<std::uint64_t>(pick(20));
      h.cumulative_counts.push_back(c);
    }
    h.count = c + static_cast<std::uint64_t>(pick(5));
    h.sum = value(malformed);
    return h;
  }

  std::mt19937 rng_;
  int defined_percent_;
};

}  // namespace ccmon::core::testing
