#include "core/engine/snapshot_merge.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

namespace ccmon::core {

namespace {

// a + b of one KPI, by its formula (core/kpi.hpp Formula).
KpiValue add_kpi(const KpiValue& a, const KpiValue& b, Formula f) {
  KpiValue k;
  k.volume = a.volume + b.volume;
  switch (f) {
    case Formula::kCount:
      k.value = a.value.value_or(0) + b.value.value_or(0);
      break;
    case Formula::kRatio:
    case Formula::kPerHour:
    case Formula::kServiceLevel:
      // value x volume is the numerator (times the unit's scale).
      if (k.volume > 0) {
        k.value = (a.value.value_or(0) * a.volume + b.value.value_or(0) * b.volume) / k.volume;
      }
      break;
    case Formula::kWaitMax:
    case Formula::kWaitQuantile:
      if (a.value || b.value) k.value = std::max(a.value.value_or(0), b.value.value_or(0));
      break;
    case Formula::kLive:
      break;
  }
  return k;
}

void add_histogram(Histogram& into, const Histogram& h) {
  if (into.cumulative_counts.size() < h.cumulative_counts.size()) {
    into.cumulative_counts.resize(h.cumulative_counts.size(), 0);
  }
  for (std::size_t i = 0; i < h.cumulative_counts.size(); ++i) {
    into.cumulative_counts[i] += h.cumulative_counts[i];
  }
  into.count += h.count;
  into.sum += h.sum;
}

void add_series(SeriesSnapshot& into, const SeriesSnapshot& s) {
  for (std::size_t w = 0; w < into.windows.size() && w < s.windows.size(); ++w) {
    WindowKpis& a = into.windows[w];
    for (std::size_t k = 0; k < a.kpis.size(); ++k) {
      a.kpis[k] = add_kpi(a.kpis[k], s.windows[w].kpis[k], kKpis[k].formula);
    }
    for (std::size_t f = 0; f < a.sums.size(); ++f) a.sums[f] += s.windows[w].sums[f];
    std::map<std::string, std::uint64_t> deflected(a.deflected.begin(), a.deflected.end());
    for (const auto& [ch, n] : s.windows[w].deflected) deflected[ch] += n;
    a.deflected.assign(deflected.begin(), deflected.end());
  }
  constexpr auto kOldest = static_cast<std::size_t>(LiveKpi::kOldestWaiting);
  for (std::size_t i = 0; i < into.live.size(); ++i) {
    into.live[i] = i == kOldest ? std::max(into.live[i], s.live[i]) : into.live[i] + s.live[i];
  }
  into.offered_total += s.offered_total;
  into.answered_total += s.answered_total;
  into.abandoned_total += s.abandoned_total;
  into.short_abandoned_total += s.short_abandoned_total;
  into.overflowed_total += s.overflowed_total;
  into.handled_total += s.handled_total;
  add_histogram(into.wait_answered, s.wait_answered);
  add_histogram(into.wait_abandoned, s.wait_abandoned);
}

void add_team(TeamSnapshot& into, const TeamSnapshot& t) {
  for (std::size_t i = 0; i < into.agents.size(); ++i) into.agents[i] += t.agents[i];
  for (std::size_t w = 0; w < into.sums.size() && w < t.sums.size(); ++w) {
    for (std::size_t f = 0; f < into.sums[w].size(); ++f) into.sums[w][f] += t.sums[w][f];
  }
}

void add_stats(EngineStats& into, const EngineStats& s) {
  into.tracked_contacts += s.tracked_contacts;
  into.tracked_cases += s.tracked_cases;
  into.out_of_sequence_total += s.out_of_sequence_total;
  into.evicted_contacts_total += s.evicted_contacts_total;
  into.evicted_cases_total += s.evicted_cases_total;
  into.evicted_agents_total += s.evicted_agents_total;
  into.contact_byte_bound_evictions_total += s.contact_byte_bound_evictions_total;
  into.case_byte_bound_evictions_total += s.case_byte_bound_evictions_total;
  into.agent_byte_bound_evictions_total += s.agent_byte_bound_evictions_total;
  into.tracked_state_bytes += s.tracked_state_bytes;
  into.series_folded_total += s.series_folded_total;
  into.held_events += s.held_events;
  into.held_events_evicted_total += s.held_events_evicted_total;
}

// Sorts `v` by `key` and adds up the neighbours with equal keys.
template <typename T, typename Key, typename Add>
void sort_and_fold(std::vector<T>& v, Key key, Add add) {
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && key(v[out - 1]) == key(v[i])) {
      add(v[out - 1], v[i]);
    } else {
      if (out != i) v[out] = std::move(v[i]);
      ++out;
    }
  }
  v.resize(out);
}

}  // namespace

std::shared_ptr<const Snapshot> merge_snapshots(
    std::span<const std::shared_ptr<const Snapshot>> parts) {
  if (parts.size() == 1) return parts[0];  // one shard: nothing to merge, nothing to copy
  auto out = std::make_shared<Snapshot>(*parts[0]);
  const auto shards = static_cast<std::uint32_t>(parts.size());
  for (std::size_t p = 1; p < parts.size(); ++p) {
    const Snapshot& s = *parts[p];
    out->series.insert(out->series.end(), s.series.begin(), s.series.end());
    out->teams.insert(out->teams.end(), s.teams.begin(), s.teams.end());
    add_stats(out->stats, s.stats);
    IntervalDay& iv = out->intervals;
    if (s.intervals.enabled && !iv.enabled) {  // a shard that saw no event has no day yet
      iv.enabled = true;
      iv.day_start = s.intervals.day_start;
    }
    if (s.intervals.starts.size() > iv.starts.size()) {
      iv.starts = s.intervals.starts;
      iv.utc_offsets = s.intervals.utc_offsets;
    }
    iv.series.insert(iv.series.end(), s.intervals.series.begin(), s.intervals.series.end());
  }
  sort_and_fold(
      out->series, [](const SeriesSnapshot& s) { return std::tie(s.queue, s.channel); },
      add_series);
  sort_and_fold(
      out->teams, [](const TeamSnapshot& t) { return std::tie(t.team); }, add_team);
  for (TeamSnapshot& t : out->teams) {
    for (std::size_t w = 0; w < t.windows.size() && w < t.sums.size(); ++w) {
      t.windows[w] = team_window_kpis(t.sums[w]);
    }
  }
  IntervalDay& iv = out->intervals;
  for (IntervalSeries& s : iv.series) s.rows.resize(iv.starts.size());
  sort_and_fold(
      iv.series, [](const IntervalSeries& s) { return std::tie(s.queue, s.channel); },
      [](IntervalSeries& a, const IntervalSeries& b) {
        for (std::size_t r = 0; r < a.rows.size(); ++r) a.rows[r] += b.rows[r];
      });

  // Agents: every shard has a row for each agent it saw; one row is the
  // base, the contact-side figures are added from the others.
  std::map<std::string_view, AgentSnapshot> agents;
  std::map<std::string_view, std::pair<std::uint64_t, double>> handled;  // over every shard
  std::map<std::string_view, std::optional<AgentSnapshot::Contact>> contact;
  for (std::uint32_t p = 0; p < shards; ++p) {
    for (const AgentSnapshot& a : parts[p]->agents) {
      auto& [n, secs] = handled[a.agent];
      n += a.handled_today;
      secs += a.handle_seconds_today;
      if (a.contact) {
        auto& c = contact[a.agent];
        if (!c || a.contact->answered_at > c->answered_at) c = a.contact;
      }
      // The base is the row that saw the latest agent.state: the home shard
      // sees every agent.state (others from when they joined the agent), so
      // that is its row; engines of Kafka partitions (docs/kafka.md) see an
      // agent's states in one partition.
      const bool home = shard_of(a.agent, shards) == p;
      auto [it, fresh] = agents.try_emplace(a.agent, a);
      if (!fresh && (a.state_since > it->second.state_since ||
                     (a.state_since == it->second.state_since && home))) {
        it->second = a;
      }
    }
  }
  out->agents.clear();
  out->agents.reserve(agents.size());
  for (auto& [id, a] : agents) {
    a.handled_today = handled[id].first;
    a.handle_seconds_today = handled[id].second;
    auto c = contact.find(id);
    a.contact = c != contact.end() ? c->second : std::nullopt;
    out->agents.push_back(std::move(a));
  }
  out->stats.tracked_agents = out->agents.size();  // each once, however many shards saw it
  return out;
}

}  // namespace ccmon::core
