#include "core/exposition/snapshot_families.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/exposition/family_help.hpp"

namespace ccmon::core {
namespace {

constexpr std::string_view kPrefix = "ccmon_";

MetricFamily family(std::string_view key, std::string_view help, MetricType type) {
  MetricFamily f;
  f.name.reserve(kPrefix.size() + key.size());
  f.name.append(kPrefix).append(key);
  f.help = help;
  f.type = type;
  return f;
}

Labels queue_channel(const SeriesSnapshot& s) {
  return {{"queue", s.queue}, {"channel", s.channel}};
}

Labels queue_channel_window(const SeriesSnapshot& s, const std::string& window) {
  return {{"queue", s.queue}, {"channel", s.channel}, {"window", window}};
}

// Windows a series or team carries values for: both lists should be parallel,
// but a short one must never be read past its end.
std::size_t window_count(const Snapshot& snap, std::size_t carried) {
  return std::min(snap.windows.size(), carried);
}

void add_windowed_kpis(const Snapshot& snap, std::vector<MetricFamily>& out) {
  for (int k = 0; k < kKpiCount; ++k) {
    const KpiInfo& ki = info(static_cast<Kpi>(k));
    MetricFamily f = family(ki.key, ki.help, MetricType::kGauge);
    for (const SeriesSnapshot& s : snap.series) {
      for (std::size_t w = 0; w < window_count(snap, s.windows.size()); ++w) {
        const KpiValue& v = s.windows[w].kpis[static_cast<std::size_t>(k)];
        if (v.value) f.samples.push_back({queue_channel_window(s, snap.windows[w]), *v.value});
      }
    }
    out.push_back(std::move(f));
  }

  MetricFamily deflected =
      family(family_help::kDeflected.key, family_help::kDeflected.help, MetricType::kGauge);
  for (const SeriesSnapshot& s : snap.series) {
    for (std::size_t w = 0; w < window_count(snap, s.windows.size()); ++w) {
      for (const auto& [to_channel, n] : s.windows[w].deflected) {
        Labels labels = queue_channel_window(s, snap.windows[w]);
        labels.emplace_back("to_channel", to_channel);
        deflected.samples.push_back({std::move(labels), static_cast<double>(n)});
      }
    }
  }
  out.push_back(std::move(deflected));

  MetricFamily threshold =
      family("service_level_threshold_seconds",
             "Service-level threshold T of the queue and channel: a "
             "contact answered after waiting at most T is within service level.",
             MetricType::kGauge);
  for (const SeriesSnapshot& s : snap.series) {
    threshold.samples.push_back({queue_channel(s), s.service_level_threshold_s});
  }
  out.push_back(std::move(threshold));
}

void add_team_kpis(const Snapshot& snap, std::vector<MetricFamily>& out) {
  for (int k = 0; k < kTeamKpiCount; ++k) {
    const KpiInfo& ki = info(static_cast<TeamKpi>(k));
    MetricFamily f = family(ki.key, ki.help, MetricType::kGauge);
    for (const TeamSnapshot& t : snap.teams) {
      for (std::size_t w = 0; w < window_count(snap, t.windows.size()); ++w) {
        const KpiValue& v = t.windows[w][static_cast<std::size_t>(k)];
        if (v.value)
          f.samples.push_back({{{"team", t.team}, {"window", snap.windows[w]}}, *v.value});
      }
    }
    out.push_back(std::move(f));
  }
}

void add_live(const Snapshot& snap, std::vector<MetricFamily>& out) {
  for (int k = 0; k < kLiveKpiCount; ++k) {
    const KpiInfo& ki = info(static_cast<LiveKpi>(k));
    MetricFamily f = family(ki.key, ki.help, MetricType::kGauge);
    for (const SeriesSnapshot& s : snap.series) {
      f.samples.push_back({queue_channel(s), s.live[static_cast<std::size_t>(k)]});
    }
    out.push_back(std::move(f));
  }

  // Every state, zeros included, so that a state emptying shows as 0 rather
  // than a vanished series.
  MetricFamily agents =
      family(family_help::kAgents.key, family_help::kAgents.help, MetricType::kGauge);
  for (const TeamSnapshot& t : snap.teams) {
    for (int st = 0; st < kAgentStateCount; ++st) {
      agents.samples.push_back(
          {{{"team", t.team}, {"state", std::string(to_string(static_cast<AgentState>(st)))}},
           static_cast<double>(t.agents[static_cast<std::size_t>(st)])});
    }
  }
  out.push_back(std::move(agents));
}

void add_counter(const Snapshot& snap, std::vector<MetricFamily>& out, std::string_view key,
                 std::string_view help, std::uint64_t SeriesSnapshot::*member) {
  MetricFamily f = family(key, help, MetricType::kCounter);
  for (const SeriesSnapshot& s : snap.series) {
    f.samples.push_back({queue_channel(s), static_cast<double>(s.*member)});
  }
  out.push_back(std::move(f));
}

HistogramSample histogram(const Snapshot& snap, const SeriesSnapshot& s, std::string_view outcome,
                          const Histogram& h) {
  HistogramSample hs;
  hs.labels = queue_channel(s);
  hs.labels.emplace_back("outcome", outcome);
  hs.upper_bounds = snap.wait_bucket_bounds;
  hs.cumulative_counts = h.cumulative_counts;
  hs.count = h.count;
  hs.sum = h.sum;
  return hs;
}

void add_since_start(const Snapshot& snap, std::vector<MetricFamily>& out) {
  add_counter(snap, out, family_help::kOfferedTotal.key, family_help::kOfferedTotal.help,
              &SeriesSnapshot::offered_total);
  add_counter(snap, out, family_help::kAnsweredTotal.key, family_help::kAnsweredTotal.help,
              &SeriesSnapshot::answered_total);
  add_counter(snap, out, family_help::kAbandonedTotal.key, family_help::kAbandonedTotal.help,
              &SeriesSnapshot::abandoned_total);
  add_counter(snap, out, family_help::kHandledTotal.key, family_help::kHandledTotal.help,
              &SeriesSnapshot::handled_total);

  MetricFamily wait =
      family(family_help::kWaitSeconds.key, family_help::kWaitSeconds.help, MetricType::kHistogram);
  for (const SeriesSnapshot& s : snap.series) {
    wait.histograms.push_back(histogram(snap, s, "answered", s.wait_answered));
    wait.histograms.push_back(histogram(snap, s, "abandoned", s.wait_abandoned));
  }
  out.push_back(std::move(wait));
}

void add_stat(std::vector<MetricFamily>& out, const KpiInfo& info, MetricType type,
              std::uint64_t value) {
  MetricFamily f = family(info.key, info.help, type);
  f.samples.push_back({{}, static_cast<double>(value)});
  out.push_back(std::move(f));
}

void add_stats(const EngineStats& st, std::vector<MetricFamily>& out) {
  add_stat(out, family_help::kTrackedContacts, MetricType::kGauge, st.tracked_contacts);
  add_stat(out, family_help::kTrackedCases, MetricType::kGauge, st.tracked_cases);
  add_stat(out, family_help::kTrackedAgents, MetricType::kGauge, st.tracked_agents);
  add_stat(out, family_help::kOutOfSequence, MetricType::kCounter, st.out_of_sequence_total);
  add_stat(out, family_help::kEvictedContacts, MetricType::kCounter, st.evicted_contacts_total);
  add_stat(out, family_help::kEvictedCases, MetricType::kCounter, st.evicted_cases_total);
  add_stat(out, family_help::kSeriesFolded, MetricType::kCounter, st.series_folded_total);
}

}  // namespace

std::vector<MetricFamily> snapshot_families(const Snapshot& snapshot) {
  std::vector<MetricFamily> out;
  out.reserve(kKpiCount + kTeamKpiCount + kLiveKpiCount + 16);
  add_windowed_kpis(snapshot, out);
  add_team_kpis(snapshot, out);
  add_live(snapshot, out);
  add_since_start(snapshot, out);
  add_stats(snapshot.stats, out);
  std::erase_if(out,
                [](const MetricFamily& f) { return f.samples.empty() && f.histograms.empty(); });
  return out;
}

}  // namespace ccmon::core
