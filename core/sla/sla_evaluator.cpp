#include "core/sla/sla_evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>
#include <utility>

#include "core/glob.hpp"
#include "core/kpi.hpp"

namespace ccmon::core {
namespace {

// Targets and margins are decimal numbers from a config file and values are
// ratios computed in binary: 0.80 + 0.05 is not exactly 0.85. Values this
// close to a threshold count as equal to it, so documented boundaries hold.
bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

bool satisfies(double value, Comparison c, double threshold) {
  const bool equal = near(value, threshold);
  switch (c) {
    case Comparison::kGreaterEqual:
      return equal || value > threshold;
    case Comparison::kGreater:
      return !equal && value > threshold;
    case Comparison::kLessEqual:
      return equal || value < threshold;
    case Comparison::kLess:
      return !equal && value < threshold;
  }
  return false;
}

// The threshold a breached value must pass to clear: the target moved to the
// good side by the margin. A negative margin would clear while still failing.
double clear_threshold(const SlaRule& rule) {
  const double margin = std::max(0.0, rule.clear_margin);
  switch (rule.comparison) {
    case Comparison::kGreaterEqual:
    case Comparison::kGreater:
      return rule.target + margin;
    case Comparison::kLessEqual:
    case Comparison::kLess:
      return rule.target - margin;
  }
  return rule.target;
}

bool same_definition(const SlaRule& a, const SlaRule& b) {
  return a.name == b.name && a.kpi == b.kpi && a.comparison == b.comparison &&
         a.target == b.target && a.window == b.window && a.queue == b.queue &&
         a.channel == b.channel && a.min_volume == b.min_volume &&
         a.for_duration == b.for_duration && a.clear_margin == b.clear_margin;
}

// The KPI a rule reads. Team KPIs and unknown keys select nothing (config/
// rejects them; the evaluator just stays inert).
struct Source {
  std::optional<Kpi> windowed;
  std::optional<LiveKpi> live;
  std::optional<std::size_t> window;  // index into Snapshot::windows
};

Source resolve(const SlaRule& rule, const Snapshot& snapshot) {
  Source src;
  src.live = live_kpi_from_key(rule.kpi);
  if (src.live) return src;
  src.windowed = kpi_from_key(rule.kpi);
  const auto& w = snapshot.windows;
  if (auto it = std::find(w.begin(), w.end(), rule.window); it != w.end()) {
    src.window = static_cast<std::size_t>(it - w.begin());
  }
  return src;
}

// The value to judge, or nothing when this evaluation must be skipped.
std::optional<double> read_value(const SlaRule& rule, const Source& src,
                                 const SeriesSnapshot& series) {
  std::optional<double> value;
  if (src.live) {
    // Live values are always defined (oldest waiting is 0 when nobody waits)
    // and have no volume: min_volume does not apply.
    value = series.live[static_cast<std::size_t>(*src.live)];
  } else if (src.windowed && src.window && *src.window < series.windows.size()) {
    const KpiValue& kv = series.windows[*src.window].kpis[static_cast<std::size_t>(*src.windowed)];
    if (kv.volume >= rule.min_volume) value = kv.value;
  }
  if (value && !std::isfinite(*value)) value.reset();
  return value;
}

}  // namespace

std::string_view to_string(Comparison c) {
  switch (c) {
    case Comparison::kGreaterEqual:
      return ">=";
    case Comparison::kGreater:
      return ">";
    case Comparison::kLessEqual:
      return "<=";
    case Comparison::kLess:
      return "<";
  }
  return "?";
}

SlaEvaluator::SlaEvaluator(std::vector<SlaRule> rules) : rules_(std::move(rules)) {}

void SlaEvaluator::evaluate(const Snapshot& snapshot, Timestamp now) {
  last_now_ = now;
  // states_ is sorted by (rule, queue, channel): find old states by bisection.
  auto key = [&](std::size_t i) {
    return std::tie(tracks_[i].rule, states_[i].queue, states_[i].channel);
  };
  std::vector<bool> carried(states_.size(), false);
  std::vector<SlaState> states;
  std::vector<Track> tracks;
  states.reserve(states_.size());
  tracks.reserve(tracks_.size());

  for (std::size_t r = 0; r < rules_.size(); ++r) {
    const SlaRule& rule = rules_[r];
    const Source src = resolve(rule, snapshot);
    if (!src.live && !src.windowed) continue;
    for (const SeriesSnapshot& series : snapshot.series) {
      if (!glob_match(rule.queue, series.queue) || !glob_match(rule.channel, series.channel)) {
        continue;
      }
      std::size_t lo = 0;
      std::size_t hi = states_.size();
      const auto wanted = std::tie(r, series.queue, series.channel);
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (key(mid) < wanted) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo < states_.size() && key(lo) == wanted && !carried[lo]) {
        carried[lo] = true;
        states.push_back(std::move(states_[lo]));
        tracks.push_back(tracks_[lo]);
      } else {
        SlaState fresh;
        fresh.sla = rule.name;
        fresh.queue = series.queue;
        fresh.channel = series.channel;
        fresh.kpi = rule.kpi;
        if (!src.live) fresh.window = rule.window;
        fresh.comparison = rule.comparison;
        fresh.target = rule.target;
        fresh.since = now;
        states.push_back(std::move(fresh));
        tracks.push_back(Track{r, false, 0});
      }
      judge(rule, states.back(), tracks.back(), read_value(rule, src, series), now);
    }
  }

  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (!carried[i]) report_left(states_[i], now);
  }

  // Snapshot series are sorted by (queue, channel), so this is a no-op check
  // unless a producer of snapshots breaks that promise.
  std::vector<std::size_t> order(states.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto less = [&](std::size_t a, std::size_t b) {
    return std::tie(tracks[a].rule, states[a].queue, states[a].channel) <
           std::tie(tracks[b].rule, states[b].queue, states[b].channel);
  };
  if (!std::is_sorted(order.begin(), order.end(), less)) {
    std::stable_sort(order.begin(), order.end(), less);
    std::vector<SlaState> sorted_states;
    std::vector<Track> sorted_tracks;
    sorted_states.reserve(order.size());
    sorted_tracks.reserve(order.size());
    for (std::size_t i : order) {
      sorted_states.push_back(std::move(states[i]));
      sorted_tracks.push_back(tracks[i]);
    }
    states = std::move(sorted_states);
    tracks = std::move(sorted_tracks);
  }
  states_ = std::move(states);
  tracks_ = std::move(tracks);
}

void SlaEvaluator::judge(const SlaRule& rule, SlaState& state, Track& track,
                         std::optional<double> value, Timestamp now) {
  state.value = value;
  if (!value) {
    // Nothing to judge: the breach flag stays as it is, but a pending "for"
    // timer restarts, since the violation was not seen to hold throughout.
    track.violating = false;
    return;
  }
  const bool holds = satisfies(*value, rule.comparison, rule.target);
  if (!state.breached) {
    if (holds) {
      track.violating = false;
      return;
    }
    if (!track.violating) {
      track.violating = true;
      track.violating_since = now;
    }
    if (now - track.violating_since >= rule.for_duration) {
      state.breached = true;
      ++state.breaches_total;
      state.since = now;
      push(state, true, now);
    }
    return;
  }
  // Breached: leave only once clearly on the good side of the target.
  if (satisfies(*value, rule.comparison, clear_threshold(rule))) {
    state.breached = false;
    state.since = now;
    track.violating = false;
    push(state, false, now);
  } else {
    track.violating = !holds;
  }
}

void SlaEvaluator::push(const SlaState& state, bool entered, Timestamp at) {
  if (transitions_.size() >= kMaxPendingTransitions) {
    transitions_.erase(transitions_.begin());
    ++transitions_dropped_;
  }
  transitions_.push_back(
      SlaTransition{state.sla, state.queue, state.channel, state.value, state.target, entered, at});
}

void SlaEvaluator::report_left(const SlaState& state, Timestamp at) {
  if (!state.breached) return;
  SlaState gone = state;
  gone.value.reset();
  push(gone, false, at);
}

std::vector<SlaTransition> SlaEvaluator::take_transitions() {
  std::vector<SlaTransition> out;
  out.swap(transitions_);
  return out;
}

void SlaEvaluator::reconfigure(std::vector<SlaRule> rules) {
  // Map each old rule to an identical new one, if any (each used once).
  std::vector<std::optional<std::size_t>> remap(rules_.size());
  std::vector<bool> taken(rules.size(), false);
  for (std::size_t o = 0; o < rules_.size(); ++o) {
    for (std::size_t n = 0; n < rules.size(); ++n) {
      if (!taken[n] && same_definition(rules_[o], rules[n])) {
        taken[n] = true;
        remap[o] = n;
        break;
      }
    }
  }

  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    if (auto n = remap[tracks_[i].rule]) {
      tracks_[i].rule = *n;
      keep.push_back(i);
    } else {
      report_left(states_[i], last_now_);
    }
  }
  // Rules may have moved: restore the (rule, queue, channel) order.
  std::stable_sort(keep.begin(), keep.end(),
                   [&](std::size_t a, std::size_t b) { return tracks_[a].rule < tracks_[b].rule; });
  std::vector<SlaState> states;
  std::vector<Track> tracks;
  states.reserve(keep.size());
  tracks.reserve(keep.size());
  for (std::size_t i : keep) {
    states.push_back(std::move(states_[i]));
    tracks.push_back(tracks_[i]);
  }
  states_ = std::move(states);
  tracks_ = std::move(tracks);
  rules_ = std::move(rules);
}

}  // namespace ccmon::core
