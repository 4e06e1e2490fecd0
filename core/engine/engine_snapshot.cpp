// Engine::snapshot: turns window totals into KPI values (spec/kpis.md).
#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/engine/engine_state.hpp"
#include "core/engine/snapshot.hpp"

namespace ccmon::core {

using namespace engine_detail;

namespace {

using Values = std::array<std::int64_t, kFieldCount>;

KpiValue count(std::int64_t n) {
  return {static_cast<double>(n), static_cast<double>(n)};
}

// num / den, undefined when den is 0. `scale` turns microseconds into seconds.
KpiValue ratio(double num, std::int64_t den, double scale = 1) {
  KpiValue k;
  k.volume = static_cast<double>(den);
  if (den > 0) k.value = num / static_cast<double>(den) * scale;
  return k;
}

constexpr double kPerMicro = 1.0 / kMicrosPerSecond;

// Nearest-rank quantiles over the fine bins (the closed buckets' dense bins
// plus the open bucket's sparse ones): the midpoint of the bin holding rank
// ceil(p * n), never above the largest wait seen. One pass for both, stopping
// at the p90 bin; empty bins cost one load.
void quantiles(const std::vector<std::int64_t>& bins, const SparseCounts* open, std::int64_t n,
               double max_s, std::optional<double>& p50, std::optional<double>& p90) {
  const std::size_t m = open != nullptr ? open->size() : 0;
  if (n <= 0 || (bins.empty() && m == 0)) return;
  const double ps[2] = {0.5, 0.9};
  std::int64_t ranks[2];
  for (int q = 0; q < 2; ++q) {
    ranks[q] = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(ps[q] * static_cast<double>(n))));
  }
  std::optional<double>* out[2] = {&p50, &p90};
  auto value = [&](int b) {
    return WaitBins::width(b) == 0 ? max_s
                                   : std::min(max_s, WaitBins::lower(b) + WaitBins::width(b) / 2);
  };
  std::int64_t seen = 0;
  int q = 0;
  auto count = [&](int b, std::int64_t c) {
    seen += c;
    while (q < 2 && seen >= ranks[q]) *out[q++] = value(b);
  };
  if (bins.empty()) {  // only the open bucket has waits: walk its entries
    for (std::size_t o = 0; o < m && q < 2; ++o) count((*open)[o].first, (*open)[o].second);
  } else {
    std::size_t o = 0;  // next entry of `open` (sorted by bin)
    for (int b = 0; b < WaitBins::kCount && q < 2; ++b) {
      std::int64_t c = bins[static_cast<std::size_t>(b)];
      if (o < m && (*open)[o].first == b) c += (*open)[o++].second;
      if (c != 0) count(b, c);
    }
  }
  for (; q < 2; ++q) *out[q] = max_s;
}

// Fills `w` in place: snapshot storage is recycled, so every KPI is reset.
void window_kpis(const WindowView<kFieldCount>& t, std::int64_t wait_max,
                 ServiceLevelFormula formula, const LabelSet& channels, WindowKpis& w) {
  const Values v = t.sums();
  w.kpis.fill(KpiValue{});
  w.deflected.clear();
  auto set = [&](Kpi k, KpiValue val) { w.kpis[static_cast<std::size_t>(k)] = val; };
  const std::int64_t answered = v[kAnswered], abandoned = v[kAbandoned],
                     shorts = v[kShortAbandoned], overflowed = v[kOverflowed],
                     handled = v[kHandled];
  const std::int64_t outcomes = answered + abandoned + overflowed;

  set(Kpi::kOffered, count(v[kOffered]));
  set(Kpi::kAnswered, count(answered));
  set(Kpi::kAbandoned, count(abandoned));
  set(Kpi::kShortAbandoned, count(shorts));
  set(Kpi::kOverflowed, count(overflowed));
  set(Kpi::kHandled, count(handled));
  set(Kpi::kAnswerRatio, ratio(static_cast<double>(answered), outcomes));
  set(Kpi::kAbandonRatio,
      ratio(static_cast<double>(abandoned - shorts), answered + abandoned - shorts + overflowed));
  switch (formula) {
    case ServiceLevelFormula::kDefault:
      set(Kpi::kServiceLevelRatio,
          ratio(static_cast<double>(v[kAnsweredWithin]), answered + abandoned - shorts));
      break;
    case ServiceLevelFormula::kAnsweredOnly:
      set(Kpi::kServiceLevelRatio, ratio(static_cast<double>(v[kAnsweredWithin]), answered));
      break;
    case ServiceLevelFormula::kAll:
      set(Kpi::kServiceLevelRatio, ratio(static_cast<double>(v[kAnsweredWithin]), outcomes));
      break;
    case ServiceLevelFormula::kRemovedWithin:
      set(Kpi::kServiceLevelRatio,
          ratio(static_cast<double>(v[kAnsweredWithin] + v[kAbandonedWithin]), outcomes));
      break;
  }
  set(Kpi::kAverageSpeedOfAnswer,
      ratio(static_cast<double>(v[kWaitAnsweredSum]), answered, kPerMicro));
  const std::int64_t waits = answered + abandoned;
  KpiValue mx{std::nullopt, static_cast<double>(waits)};
  if (waits > 0 && wait_max >= 0) mx.value = static_cast<double>(wait_max) * kPerMicro;
  set(Kpi::kWaitMax, mx);
  KpiValue p50{std::nullopt, static_cast<double>(waits)}, p90 = p50;
  quantiles(t.closed->wait_bins, t.open != nullptr ? &t.open->wait_bins : nullptr, waits,
            mx.value.value_or(0), p50.value, p90.value);
  set(Kpi::kWaitP50, p50);
  set(Kpi::kWaitP90, p90);
  set(Kpi::kAverageAbandonTime,
      ratio(static_cast<double>(v[kWaitAbandonedSum]), abandoned, kPerMicro));
  set(Kpi::kAverageHandleTime,
      ratio(static_cast<double>(v[kTalkSum] + v[kHoldSum] + v[kAcwSum]), handled, kPerMicro));
  set(Kpi::kAverageTalkTime, ratio(static_cast<double>(v[kTalkSum]), handled, kPerMicro));
  set(Kpi::kAverageHoldTime, ratio(static_cast<double>(v[kHoldSum]), handled, kPerMicro));
  set(Kpi::kAverageAfterContactWork, ratio(static_cast<double>(v[kAcwSum]), handled, kPerMicro));
  set(Kpi::kTransferRatio, ratio(static_cast<double>(v[kTransferred]), handled));
  set(Kpi::kAverageFirstResponse,
      ratio(static_cast<double>(v[kFirstResponseSum]), v[kFirstResponses], kPerMicro));
  set(Kpi::kAverageResponse, ratio(static_cast<double>(v[kResponseSum]), v[kResponses], kPerMicro));
  set(Kpi::kSelfServiceRatio, ratio(static_cast<double>(v[kSelfServed]), v[kCreated]));
  set(Kpi::kFirstContactResolutionRatio,
      ratio(static_cast<double>(v[kResolvedInOne]), v[kCasesResolved]));
  set(Kpi::kAverageResolution,
      ratio(static_cast<double>(v[kResolutionSum]), v[kResolutionTimed], kPerMicro));
  set(Kpi::kResolvedCases, count(v[kCasesResolved]));
  set(Kpi::kEscalationRatio, ratio(static_cast<double>(v[kCasesEscalated]), v[kCasesOpened]));
  set(Kpi::kCsatRatio, ratio(static_cast<double>(v[kCsatTop2]), v[kCsatCount]));
  set(Kpi::kCsatAverage, ratio(static_cast<double>(v[kCsatSum]), v[kCsatCount]));
  set(Kpi::kNps,
      ratio(static_cast<double>(v[kNpsPromoters] - v[kNpsDetractors]), v[kNpsCount], 100));
  set(Kpi::kCesAverage, ratio(static_cast<double>(v[kCesSum]), v[kCesCount]));
  set(Kpi::kNegativeSentimentRatio,
      ratio(static_cast<double>(v[kSentimentNegative]), v[kSentimentScored]));
  set(Kpi::kConversionRatio, ratio(static_cast<double>(v[kConverted]), handled));
  set(Kpi::kChurnedCustomers, count(v[kChurned]));

  const std::vector<std::int64_t>& closed = t.closed->deflected;
  for (std::size_t ch = 0; ch < closed.size(); ++ch) {
    std::int64_t n = closed[ch];
    if (t.open != nullptr) {
      for (const auto& [c, m] : t.open->deflected) n += c == ch ? m : 0;
    }
    if (n > 0) {
      w.deflected.emplace_back(channels.name(static_cast<LabelId>(ch)),
                               static_cast<std::uint64_t>(n));
    }
  }
  if (t.open != nullptr) {  // channels only the open bucket has seen
    for (const auto& [c, m] : t.open->deflected) {
      if (c >= closed.size() && m > 0) {
        w.deflected.emplace_back(channels.name(c), static_cast<std::uint64_t>(m));
      }
    }
  }
  std::sort(w.deflected.begin(), w.deflected.end());
}

// Team KPIs from time-in-state totals (us) plus the ongoing intervals.
std::array<KpiValue, kTeamKpiCount> team_kpis(const std::array<std::int64_t, kTeamFieldCount>& v,
                                              const std::array<std::int64_t, 3>& ongoing) {
  const double avail = static_cast<double>(v[kTimeAvailable] + ongoing[0]);
  const double busy = static_cast<double>(v[kTimeBusy] + ongoing[1]);
  const double wrap = static_cast<double>(v[kTimeWrapUp] + ongoing[2]);
  const double staffed = avail + busy + wrap;
  std::array<KpiValue, kTeamKpiCount> k{};
  auto& occ = k[static_cast<std::size_t>(TeamKpi::kOccupancyRatio)];
  occ.volume = staffed * kPerMicro;  // staffed seconds
  if (staffed > 0) occ.value = (busy + wrap) / staffed;
  auto& cph = k[static_cast<std::size_t>(TeamKpi::kContactsPerAgentHour)];
  cph.volume = staffed * kPerMicro / 3600;  // staffed hours
  if (staffed > 0) cph.value = static_cast<double>(v[kTeamHandled]) / cph.volume;
  k[static_cast<std::size_t>(TeamKpi::kAverageTimeBetweenContacts)] =
      ratio(static_cast<double>(v[kBetweenContactsSum]), v[kBetweenContactsCount], kPerMicro);
  return k;
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
      const WindowView<kFieldCount> view = w.view();
      const bool waits =
          view.closed->v[kAnswered] + view.closed->v[kAbandoned] > 0 ||
          (view.open != nullptr && view.open->v[kAnswered] + view.open->v[kAbandoned] > 0);
      window_kpis(view, waits ? w.wait_max() : -1, config.service_level_formula, labels.channels,
                  out.windows[wi]);
    }
    if (today) {
      const bool live = day_start != kNever && now >= day_start;
      static const DayTotals<kFieldCount> kEmpty;
      const auto& d = live ? s.today : kEmpty;
      window_kpis({&d.totals, nullptr}, d.wait_max, config.service_level_formula, labels.channels,
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
  agents.for_each([&](std::uint32_t, const Agent& a) {
    if (!a.has_state) return;
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
    for (std::size_t w = 0; w < nw; ++w) {
      out.windows[w] = team_kpis(team.windows[w].view().sums(), ongoing[ti * (nw + 1) + w]);
    }
    if (today) {
      const bool live = day_start != kNever && now >= day_start;
      static const DayTotals<kTeamFieldCount> kEmpty;
      out.windows[nw] =
          team_kpis((live ? team.today : kEmpty).totals.v, ongoing[ti * (nw + 1) + nw]);
    }
  }

  snap->stats = stats();
  return snapshots.publish(std::move(snap));
}

}  // namespace ccmon::core
