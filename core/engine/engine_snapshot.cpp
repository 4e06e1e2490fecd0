// Engine::snapshot: turns window totals into KPI values by the formulas of
// the KPI catalogue (core/kpi.hpp, docs/kpis.md).
#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "core/engine/engine_state.hpp"
#include "core/engine/snapshot.hpp"

namespace ccmon::core {

using namespace engine_detail;

namespace {

using Values = std::array<std::int64_t, kFieldCount>;
using TeamValues = std::array<std::int64_t, kTeamFieldCount>;

constexpr double kPerMicro = 1.0 / kMicrosPerSecond;

// --- The wait KPIs: one kWaitMax, whose value caps the kWaitQuantile ones,
// all over the same waits. The quantiles are found in one pass, ascending.

constexpr std::size_t kWaitMaxIndex = static_cast<std::size_t>(
    std::find_if(kKpis.begin(), kKpis.end(),
                 [](const WindowKpiDescriptor& d) { return d.formula == Formula::kWaitMax; }) -
    kKpis.begin());
static_assert(kWaitMaxIndex < kKpis.size(), "the catalogue has a wait max");

constexpr std::size_t quantile_ordinal(std::size_t i) {  // of kKpis[i] among the quantiles
  return static_cast<std::size_t>(std::count_if(
      kKpis.begin(), kKpis.begin() + static_cast<std::ptrdiff_t>(i),
      [](const WindowKpiDescriptor& d) { return d.formula == Formula::kWaitQuantile; }));
}
constexpr std::size_t kQuantileCount = quantile_ordinal(kKpis.size());
using Quantiles = std::array<std::optional<double>, kQuantileCount>;

constexpr std::array<double, kQuantileCount> kQuantilePs = [] {
  std::array<double, kQuantileCount> p{};
  for (std::size_t i = 0; i < kKpis.size(); ++i) {
    if (kKpis[i].formula == Formula::kWaitQuantile) p[quantile_ordinal(i)] = kKpis[i].quantile;
  }
  return p;
}();
static_assert(std::is_sorted(kQuantilePs.begin(), kQuantilePs.end()),
              "wait quantiles are listed in ascending order");

// Nearest-rank quantiles over the fine bins (a window's dense bins): the
// midpoint of the bin holding rank ceil(p * n), never above the largest wait
// seen. One pass for all, stopping at the last one's bin; empty bins cost
// one load.
void quantiles(const std::vector<std::int64_t>& bins, std::int64_t n, double max_s,
               Quantiles& out) {
  if (n <= 0 || bins.empty()) return;
  std::array<std::int64_t, kQuantileCount> ranks;
  for (std::size_t q = 0; q < kQuantileCount; ++q) {
    ranks[q] = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(kQuantilePs[q] * static_cast<double>(n))));
  }
  auto value = [&](int b) {
    return WaitBins::width(b) == 0 ? max_s
                                   : std::min(max_s, WaitBins::lower(b) + WaitBins::width(b) / 2);
  };
  std::int64_t seen = 0;
  std::size_t q = 0;
  auto count = [&](int b, std::int64_t c) {
    seen += c;
    while (q < kQuantileCount && seen >= ranks[q]) out[q++] = value(b);
  };
  for (int b = 0; b < WaitBins::kCount && q < kQuantileCount; ++b) {
    const std::int64_t c = bins[static_cast<std::size_t>(b)];
    if (c != 0) count(b, c);
  }
  for (; q < kQuantileCount; ++q) out[q] = max_s;
}

// --- Formula evaluation.

template <typename F>
constexpr bool same_terms(const FieldSum<F>& a, const FieldSum<F>& b) {
  if (a.size != b.size) return false;
  for (std::size_t i = 0; i < a.size; ++i) {
    if (a.terms[i].field != b.terms[i].field || a.terms[i].sign != b.terms[i].sign) return false;
  }
  return true;
}

// num / den in `unit`, undefined when den is 0. The volume is den, in
// seconds when it sums durations (microseconds).
KpiValue ratio(std::int64_t num, std::int64_t den, Unit unit, bool den_is_duration) {
  KpiValue k;
  k.volume = den_is_duration ? static_cast<double>(den) * kPerMicro : static_cast<double>(den);
  if (den > 0) k.value = static_cast<double>(num) / static_cast<double>(den) * value_scale(unit);
  return k;
}

// A window's sums plus what some formulas need beyond them: the configured
// service-level formula, the longest wait (us, -1: none) and the quantiles.
struct WindowInputs {
  const Values& sums;
  ServiceLevelFormula service_level;
  std::int64_t wait_max;
  Quantiles quantiles;
};
struct TeamInputs {
  const TeamValues& sums;
};

// Table[I], a catalogue descriptor, evaluated over `in`. The index is a
// template argument so that each formula compiles to straight-line code.
template <const auto& Table, std::size_t I, typename Inputs>
KpiValue evaluate(const Inputs& in) {
  constexpr const auto& d = Table[I];
  if constexpr (d.formula == Formula::kCount) {
    const double n = static_cast<double>(total(d.numerator, in.sums));
    return {n, n};
  } else if constexpr (d.formula == Formula::kRatio) {
    return ratio(total(d.numerator, in.sums), total(d.denominator, in.sums), d.info.unit,
                 sums_durations(d.denominator));
  } else if constexpr (d.formula == Formula::kPerHour) {
    static_assert(sums_durations(d.denominator), "per hour of time");
    const std::int64_t den = total(d.denominator, in.sums);
    KpiValue k;
    k.volume = static_cast<double>(den) * kPerMicro / 3600;  // hours
    if (den > 0) k.value = static_cast<double>(total(d.numerator, in.sums)) / k.volume;
    return k;
  } else if constexpr (d.formula == Formula::kServiceLevel) {
    const ServiceLevelRatio& r = service_level_ratio(in.service_level);
    return ratio(total(r.numerator, in.sums), total(r.denominator, in.sums), d.info.unit, false);
  } else if constexpr (d.formula == Formula::kWaitMax) {
    const std::int64_t waits = total(d.denominator, in.sums);
    KpiValue k{std::nullopt, static_cast<double>(waits)};
    if (waits > 0 && in.wait_max >= 0) k.value = static_cast<double>(in.wait_max) * kPerMicro;
    return k;
  } else if constexpr (d.formula == Formula::kWaitQuantile) {
    static_assert(same_terms(d.denominator, Table[kWaitMaxIndex].denominator),
                  "one pass finds the quantiles of the wait max's waits");
    return {in.quantiles[quantile_ordinal(I)], static_cast<double>(total(d.denominator, in.sums))};
  } else {
    static_assert(d.formula != Formula::kLive, "live KPIs have no window");
    return {};
  }
}

template <const auto& Table, typename Out, typename Inputs, std::size_t... I>
void evaluate_all(Out& out, const Inputs& in, std::index_sequence<I...>) {
  ((out[I] = evaluate<Table, I>(in)), ...);
}

// Fills `w` in place: snapshot storage is recycled, so every KPI is set.
void window_kpis(const Totals<kFieldCount>& t, std::int64_t wait_max, ServiceLevelFormula formula,
                 const LabelSet& channels, WindowKpis& w) {
  const Values& v = t.v;
  WindowInputs in{v, formula, wait_max, {}};
  const KpiValue mx = evaluate<kKpis, kWaitMaxIndex>(in);
  quantiles(t.wait_bins, total(kKpis[kWaitMaxIndex].denominator, v), mx.value.value_or(0),
            in.quantiles);
  evaluate_all<kKpis>(w.kpis, in, std::make_index_sequence<kKpiCount>{});
  w.sums = v;

  w.deflected.clear();
  for (std::size_t ch = 0; ch < t.deflected.size(); ++ch) {
    if (const std::int64_t n = t.deflected[ch]; n > 0) {
      w.deflected.emplace_back(channels.name(static_cast<LabelId>(ch)),
                               static_cast<std::uint64_t>(n));
    }
  }
  std::sort(w.deflected.begin(), w.deflected.end());
}

// Time-in-state totals (us) plus the ongoing intervals {available, busy,
// wrap-up} up to now.
TeamValues team_sums(const TeamValues& totals, const std::array<std::int64_t, 3>& ongoing) {
  TeamValues v = totals;
  v[kTimeAvailable] += ongoing[0];
  v[kTimeBusy] += ongoing[1];
  v[kTimeWrapUp] += ongoing[2];
  return v;
}

void fill_histogram(Histogram& out, const SinceStartHistogram& h, std::size_t bounds) {
  out.cumulative_counts.resize(bounds);
  std::uint64_t run = 0;
  for (std::size_t i = 0; i < bounds; ++i) {
    run += i < h.counts.size() ? h.counts[i] : 0;
    out.cumulative_counts[i] = run;
  }
  out.count = h.count;
  out.sum = static_cast<double>(h.sum) * kPerMicro;
}

// Series and teams in output order, re-sorted only when one was added (names
// never change), so the snapshot is written in order instead of sorted.
void update_orders(const WindowStore& store, std::vector<std::uint32_t>& series_order,
                   std::vector<std::uint32_t>& team_order) {
  const Labels& l = store.labels();
  if (series_order.size() != store.series_count()) {
    series_order.resize(store.series_count());
    for (std::uint32_t i = 0; i < series_order.size(); ++i) series_order[i] = i;
    std::sort(series_order.begin(), series_order.end(), [&](std::uint32_t a, std::uint32_t b) {
      const Series& x = store.series(a);
      const Series& y = store.series(b);
      return std::forward_as_tuple(l.queues.name(x.queue), l.channels.name(x.channel)) <
             std::forward_as_tuple(l.queues.name(y.queue), l.channels.name(y.channel));
    });
  }
  if (team_order.size() != store.team_count()) {
    team_order.resize(store.team_count());
    for (std::uint32_t i = 0; i < team_order.size(); ++i) team_order[i] = i;
    std::sort(team_order.begin(), team_order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return l.teams.name(store.team(a).label) < l.teams.name(store.team(b).label);
    });
  }
}

}  // namespace

std::array<KpiValue, kTeamKpiCount> team_window_kpis(const TeamSums& sums) {
  std::array<KpiValue, kTeamKpiCount> k;
  evaluate_all<kTeamKpis>(k, TeamInputs{sums}, std::make_index_sequence<kTeamKpiCount>{});
  return k;
}

std::shared_ptr<const Snapshot> engine_detail::EngineState::snapshot(Timestamp now) {
  contacts.check_invariants();  // assertion builds only
  store.roll_day_if_due(now);
  const bool today = store.today_enabled();
  const std::size_t nw = config.windows.size();
  const std::size_t columns = nw + (today ? 1 : 0);
  update_orders(store, series_order, team_order);
  const Labels& labels = store.labels();
  const Timestamp day_start = store.day_start();
  const std::vector<double>& bounds_s = store.bounds_s();

  std::unique_ptr<Snapshot> snap = snapshots.take();
  snap->now = now;
  snap->windows.resize(columns);
  for (std::size_t w = 0; w < nw; ++w) snap->windows[w] = config.windows[w].name;
  if (today) snap->windows[nw] = "today";
  snap->wait_bucket_bounds = bounds_s;
  snap->service_level_formula = config.service_level_formula;

  snap->series.resize(store.series_count());
  for (std::size_t i = 0; i < store.series_count(); ++i) {
    const std::uint32_t si = series_order[i];
    Series& s = store.series(si);
    SeriesSnapshot& out = snap->series[i];
    out.queue = labels.queues.name(s.queue);
    out.channel = labels.channels.name(s.channel);
    out.service_level_threshold_s = s.threshold_s;
    out.short_abandon_threshold_s = s.short_abandon_s;
    out.windows.resize(columns);
    for (std::size_t wi = 0; wi < nw; ++wi) {
      auto& w = s.windows[wi];
      w.expire(now);
      const Totals<kFieldCount>& totals = w.totals();
      const bool waits = totals.v[kAnswered] + totals.v[kAbandoned] > 0;
      window_kpis(totals, waits ? w.wait_max() : -1, config.service_level_formula, labels.channels,
                  out.windows[wi]);
    }
    if (today) {
      const bool live = day_start != kNever && now >= day_start;
      static const DayTotals<kFieldCount> kEmpty;
      const auto& d = live ? s.today : kEmpty;
      window_kpis(d.totals, d.wait_max, config.service_level_formula, labels.channels,
                  out.windows[nw]);
    }
    const SeriesLive& live = contacts.live(si);
    const Timestamp oldest = contacts.oldest_waiting(si);
    out.live[static_cast<std::size_t>(LiveKpi::kContactsWaiting)] =
        static_cast<double>(live.waiting);
    out.live[static_cast<std::size_t>(LiveKpi::kOldestWaiting)] =
        oldest == kNever ? 0.0
                         : static_cast<double>(std::max<Duration>(0, now - oldest)) * kPerMicro;
    out.live[static_cast<std::size_t>(LiveKpi::kContactsActive)] = static_cast<double>(live.active);
    out.live[static_cast<std::size_t>(LiveKpi::kCasesActive)] =
        static_cast<double>(cases.active(si));
    out.offered_total = s.offered_total;
    out.answered_total = s.answered_total;
    out.abandoned_total = s.abandoned_total;
    out.short_abandoned_total = s.short_abandoned_total;
    out.overflowed_total = s.overflowed_total;
    out.handled_total = s.handled_total;
    fill_histogram(out.wait_answered, s.wait_answered, bounds_s.size());
    fill_histogram(out.wait_abandoned, s.wait_abandoned, bounds_s.size());
  }

  // Teams: agents now, and the ongoing state intervals up to `now`.
  const std::size_t nt = store.team_count();
  std::vector<std::array<std::uint64_t, kAgentStateCount>> agents_now(nt);
  std::vector<std::array<std::int64_t, 3>> ongoing(nt * (nw + 1));
  for (std::uint32_t t = 0; t < nt; ++t) {
    for (auto& w : store.team(t).windows) w.expire(now);
  }
  agents.for_each([&](std::uint32_t slot, const Agent& a) {
    if (!a.has_state || !homed(slot)) return;
    const std::uint32_t ti = store.team_of(a.team);
    ++agents_now[ti][static_cast<std::size_t>(a.state)];
    int field = -1;
    if (a.state == AgentState::kAvailable) field = 0;
    if (a.state == AgentState::kBusy) field = 1;
    if (a.state == AgentState::kWrapUp) field = 2;
    if (field < 0) return;
    const Team& team = store.team(ti);
    for (std::size_t w = 0; w < nw; ++w) {
      const Timestamp from = std::max(a.since, team.windows[w].start());
      if (now > from) ongoing[ti * (nw + 1) + w][static_cast<std::size_t>(field)] += now - from;
    }
    if (today && day_start != kNever) {
      const Timestamp from = std::max(a.since, day_start);
      if (now > from) ongoing[ti * (nw + 1) + nw][static_cast<std::size_t>(field)] += now - from;
    }
  });
  snap->teams.resize(nt);
  for (std::size_t p = 0; p < nt; ++p) {
    const std::size_t ti = team_order[p];
    const Team& team = store.team(static_cast<std::uint32_t>(ti));
    TeamSnapshot& out = snap->teams[p];
    out.team = labels.teams.name(team.label);
    out.agents = agents_now[ti];
    out.windows.resize(columns);
    out.sums.resize(columns);
    for (std::size_t w = 0; w < nw; ++w) {
      out.sums[w] = team_sums(team.windows[w].totals().v, ongoing[ti * (nw + 1) + w]);
    }
    if (today) {
      const bool live = day_start != kNever && now >= day_start;
      static const DayTotals<kTeamFieldCount> kEmpty;
      out.sums[nw] = team_sums((live ? team.today : kEmpty).totals.v, ongoing[ti * (nw + 1) + nw]);
    }
    for (std::size_t w = 0; w < columns; ++w) out.windows[w] = team_window_kpis(out.sums[w]);
  }

  agent_rows(now, today, *snap);
  interval_rows(now, today, *snap);
  snap->stats = stats();
  return snapshots.publish(std::move(snap));
}

void engine_detail::EngineState::agent_rows(Timestamp now, bool today, Snapshot& snap) const {
  const Labels& labels = store.labels();
  const Timestamp day_start = store.day_start();
  const bool day_live = today && day_start != kNever && now >= day_start;
  // Ids sorted bytewise: the grid's and the paging's order.
  std::vector<std::pair<std::string_view, std::uint32_t>> order;
  order.reserve(agents.size());
  agents.for_each(
      [&](std::uint32_t a, const Agent&) { order.emplace_back(agents.table().key(a), a); });
  std::sort(order.begin(), order.end());
  snap.agents.resize(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Agent& a = agents[order[i].second];
    AgentSnapshot& out = snap.agents[i];
    out.agent.assign(order[i].first);
    out.team.reset();
    if (a.team != kNoLabel) out.team = labels.teams.name(a.team);
    out.state = a.has_state ? a.state : AgentState::kOffline;
    out.reason.reset();
    if (!a.reason.empty()) out.reason = a.reason;
    out.state_since.reset();
    if (a.has_state) out.state_since = a.since;
    out.contact.reset();
    if (contacts.valid(a.contact)) {
      const Contact& k = contacts[a.contact.slot];
      const Handle self = agents.handle(order[i].second);
      if (k.phase == Phase::kActive && k.agent.slot == self.slot && k.agent.gen == self.gen) {
        out.contact = AgentSnapshot::Contact{
            std::string(contacts.table().key(a.contact.slot)),
            labels.queues.name(k.queue == kNoLabel ? LabelSet::kUnknown : k.queue),
            labels.channels.name(k.channel == kNoLabel ? LabelSet::kUnknown : k.channel),
            k.answered_at};
      }
    }
    // The day's closed time, plus the current state's part since the later
    // of its start and the day's.
    const bool counted = day_live && a.today.day == day_start;
    std::array<Duration, 3> time{};
    if (counted) time = {a.today.available, a.today.busy, a.today.wrap_up};
    if (day_live && a.has_state) {
      const Duration ongoing = now - std::max(a.since, day_start);
      if (ongoing > 0) {
        if (a.state == AgentState::kAvailable) time[0] += ongoing;
        if (a.state == AgentState::kBusy) time[1] += ongoing;
        if (a.state == AgentState::kWrapUp) time[2] += ongoing;
      }
    }
    out.handled_today = counted ? a.today.handled : 0;
    out.handle_seconds_today = counted ? static_cast<double>(a.today.handle_sum) * kPerMicro : 0;
    // A late change can take back more than the day credited so far.
    out.available_seconds_today = static_cast<double>(std::max<Duration>(0, time[0])) * kPerMicro;
    out.busy_seconds_today = static_cast<double>(std::max<Duration>(0, time[1])) * kPerMicro;
    out.wrap_up_seconds_today = static_cast<double>(std::max<Duration>(0, time[2])) * kPerMicro;
  }
}

void engine_detail::EngineState::interval_rows(Timestamp now, bool today, Snapshot& snap) const {
  IntervalDay& out = snap.intervals;
  const Timestamp day_start = store.day_start();
  out.enabled = today && day_start != kNever && now >= day_start;
  out.step = kIntervalStep;
  out.default_length = config.interval_length;
  out.formula = config.service_level_formula;
  out.time_zone = config.time_zone.name;
  out.starts.clear();
  out.utc_offsets.clear();
  out.series.resize(store.series_count());
  if (!out.enabled) {
    out.series.clear();
    out.day_start = 0;
    return;
  }
  out.day_start = day_start;
  std::size_t rows = std::min<std::size_t>(
      kMaxIntervals, static_cast<std::size_t>((now - day_start) / kIntervalStep) + 1);
  for (std::size_t i = 0; i < store.series_count(); ++i) {
    rows = std::max(rows, store.series(series_order[i]).intervals.size());
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const Timestamp start = day_start + static_cast<Duration>(r) * kIntervalStep;
    out.starts.push_back(start);
    out.utc_offsets.push_back(config.time_zone.offset_at(start));
  }
  const Labels& labels = store.labels();
  constexpr double kPerSecond = kPerMicro;
  for (std::size_t i = 0; i < store.series_count(); ++i) {
    const Series& s = store.series(series_order[i]);
    IntervalSeries& o = out.series[i];
    o.queue = labels.queues.name(s.queue);
    o.channel = labels.channels.name(s.channel);
    o.service_level_threshold_s = s.threshold_s;
    o.rows.assign(rows, IntervalCounts{});
    for (std::size_t r = 0; r < s.intervals.size() && r < rows; ++r) {
      const IntervalRow& v = s.intervals[r];
      auto u = [&](IntervalField f) {
        return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v[f]));
      };
      o.rows[r] = {u(kIvOffered),        u(kIvAnswered),
                   u(kIvAbandoned),      u(kIvOverflowed),
                   u(kIvAnsweredWithin), u(kIvAbandonedWithin),
                   u(kIvShortAbandoned), static_cast<double>(v[kIvWaitAnsweredSum]) * kPerSecond};
    }
  }
}

}  // namespace ccmon::core
