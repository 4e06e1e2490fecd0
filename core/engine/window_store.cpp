#include "core/engine/window_store.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/glob.hpp"

namespace ccmon::core::engine_detail {

namespace {

constexpr double kDefaultBounds[] = {1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200};

Duration to_us(double s) {
  return static_cast<Duration>(std::llround(s * kMicrosPerSecond));
}

}  // namespace

void WindowStore::set_thresholds(Series& s) const {
  double t = threshold_s_, sa = short_abandon_s_;
  for (const auto& o : overrides_) {
    if (!glob_match(o.queue, labels_.queues.name(s.queue)) ||
        !glob_match(o.channel, labels_.channels.name(s.channel)))
      continue;
    if (o.threshold_s) t = *o.threshold_s;
    if (o.short_abandon_s) sa = *o.short_abandon_s;
  }
  s.threshold_s = t;
  s.short_abandon_s = sa;
  s.threshold = to_us(t);
  s.short_abandon = to_us(sa);
}

void WindowStore::configure(const EngineConfig& c) {
  flush_deferred();  // windows may be rebuilt below: give them what they wait for first
  const bool day_changed = c.time_zone.name != time_zone_.name ||
                           c.time_zone.initial_offset_s != time_zone_.initial_offset_s ||
                           c.time_zone.transitions.size() != time_zone_.transitions.size() ||
                           c.day_start_hour != day_start_hour_ || c.today_window != today_;
  time_zone_ = c.time_zone;
  day_start_hour_ = c.day_start_hour;
  today_ = c.today_window;
  threshold_s_ = c.service_level_threshold_s;
  short_abandon_s_ = c.short_abandon_threshold_s;
  overrides_ = c.service_level_overrides;
  labels_.queues.set_limits(c.limits.queues, c.limits.max_queues);
  labels_.channels.set_limits({}, c.limits.max_channels);
  labels_.teams.set_limits(c.limits.teams, c.limits.max_teams);

  // Since-start histogram bounds: defaults, every SL threshold, extras.
  std::vector<double> b(std::begin(kDefaultBounds), std::end(kDefaultBounds));
  b.push_back(c.service_level_threshold_s);
  b.push_back(c.short_abandon_threshold_s);
  for (const auto& o : c.service_level_overrides) {
    if (o.threshold_s) b.push_back(*o.threshold_s);
    if (o.short_abandon_s) b.push_back(*o.short_abandon_s);
  }
  b.insert(b.end(), c.extra_wait_buckets_s.begin(), c.extra_wait_buckets_s.end());
  std::erase_if(b, [](double v) { return !(v > 0) || !std::isfinite(v); });
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  const bool bounds_changed = b != bounds_s_;
  bounds_s_ = std::move(b);
  bounds_us_.clear();
  for (double v : bounds_s_) bounds_us_.push_back(to_us(v));

  // Windows whose length is unchanged keep their contents (matched by
  // position in the old list); others restart empty.
  std::vector<Duration> lengths;
  for (const auto& w : c.windows) lengths.push_back(w.length);
  auto remap = [&](auto& windows) {
    using W = typename std::decay_t<decltype(windows)>::value_type;
    std::vector<W> out;
    std::vector<bool> used(windows.size(), false);
    for (Duration len : lengths) {
      bool moved = false;
      for (std::size_t i = 0; i < windows.size() && !moved; ++i) {
        if (!used[i] && i < window_lengths_.size() && window_lengths_[i] == len) {
          out.push_back(std::move(windows[i]));
          used[i] = moved = true;
        }
      }
      if (!moved) out.emplace_back(len, kHeadroom);
    }
    windows = std::move(out);
  };
  for (auto& s : series_) {
    remap(s->windows);
    set_thresholds(*s);
    if (bounds_changed) {
      s->wait_answered = {std::vector<std::uint64_t>(bounds_s_.size() + 1, 0), 0, 0};
      s->wait_abandoned = s->wait_answered;
    }
  }
  for (auto& t : teams_) remap(t->windows);
  window_lengths_ = std::move(lengths);
  // The finest window's bucket width, and the windows whose width is a multiple.
  stage_width_ = 0;
  for (Duration len : window_lengths_) {
    const Duration w = Window<kFieldCount>::width_for(len);
    if (stage_width_ == 0 || w < stage_width_) stage_width_ = w;
  }
  staged_window_.clear();
  for (Duration len : window_lengths_) {
    staged_window_.push_back(Window<kFieldCount>::width_for(len) % stage_width_ == 0);
  }
  if (day_changed) {  // the day boundary may have moved: restart today
    day_start_ = next_day_start_ = kNever;
    for (auto& s : series_) {
      s->today.clear();
      s->intervals.clear();
    }
    for (auto& t : teams_) t->today.clear();
  }
}

std::uint32_t WindowStore::series_for(LabelId q, LabelId c) {
  if (q == kNoLabel) q = LabelSet::kUnknown;
  if (c == kNoLabel) c = LabelSet::kUnknown;
  if (series_index_.size() <= q) series_index_.resize(q + 1u);
  std::vector<std::uint32_t>& by_channel = series_index_[q];
  if (by_channel.size() <= c) by_channel.resize(c + 1u, kNil);
  if (by_channel[c] == kNil) {
    by_channel[c] = static_cast<std::uint32_t>(series_.size());
    auto s = std::make_unique<Series>();
    s->queue = q;
    s->channel = c;
    for (Duration len : window_lengths_) s->windows.emplace_back(len, kHeadroom);
    set_thresholds(*s);
    s->wait_answered.counts.assign(bounds_s_.size() + 1, 0);
    s->wait_abandoned.counts.assign(bounds_s_.size() + 1, 0);
    series_.push_back(std::move(s));
  }
  return by_channel[c];
}

std::uint32_t WindowStore::team_for(LabelId t) {
  if (t == kNoLabel) t = LabelSet::kUnknown;
  if (team_index_.size() <= t) team_index_.resize(t + 1u, kNil);
  if (team_index_[t] == kNil) {
    team_index_[t] = static_cast<std::uint32_t>(teams_.size());
    auto team = std::make_unique<Team>();
    team->label = t;
    for (Duration len : window_lengths_) team->windows.emplace_back(len, kHeadroom);
    teams_.push_back(std::move(team));
  }
  return team_index_[t];
}

void WindowStore::roll_day(Timestamp t) {
  day_start_ = local_day_start(time_zone_, day_start_hour_, t);
  // Local days last 23 to 25 h: 25 h after a start lies in the next day (or
  // exactly on its start).
  next_day_start_ = local_day_start(time_zone_, day_start_hour_, day_start_ + hours(25));
  if (next_day_start_ <= day_start_) next_day_start_ = day_start_ + hours(24);
  for (auto& s : series_) {
    s->today.clear();
    s->intervals.clear();
  }
  for (auto& team : teams_) team->today.clear();
}

void WindowStore::roll_day_if_due(Timestamp now) {
  if (today_ && day_start_ != kNever && now >= next_day_start_) roll_day(now);
}

bool WindowStore::in_today(Timestamp t) {
  if (!today_) return false;
  if (day_start_ == kNever || t >= next_day_start_) roll_day(t);
  return t >= day_start_;
}

template <typename Owner>
void WindowStore::unstage(Owner& owner) {
  auto& st = owner.staged;
  // The bucket's end lies in it, and so in one bucket of each staged window.
  const Timestamp end = (st.k + 1) * stage_width_;
  for (std::size_t i = 0; i < owner.windows.size(); ++i) {
    if (staged_window_[i]) owner.windows[i].add_bucket(end, st.b, st.wait_max);
  }
  st.b.clear();
  st.k = kNoBucket;
  st.wait_max = -1;
}

template <typename Owner>
void WindowStore::stage(Owner& owner, std::uint32_t index, std::vector<std::uint32_t>& staged,
                        Timestamp t, const Delta& d) {
  auto& st = owner.staged;
  std::int64_t k = kNoBucket;  // t's bucket at the staging width
  if (stage_width_ != 0) {
    // Mostly the staged bucket's (k * w, (k + 1) * w]: no division.
    const bool in_staged =
        st.k != kNoBucket && t > st.k * stage_width_ && t <= (st.k + 1) * stage_width_;
    k = in_staged ? st.k : Window<kFieldCount>::bucket_index(t, stage_width_);
  }
  if (st.k != kNoBucket && k > st.k) unstage(owner);  // a later bucket starts
  if (st.k == kNoBucket && k != kNoBucket) {
    st.k = k;
    if (!st.listed) {
      st.listed = true;
      staged.push_back(index);
    }
  }
  for (std::size_t i = 0; i < owner.windows.size(); ++i) {
    // An event older than the staged bucket goes to the windows at once.
    if (!staged_window_[i] || k != st.k) owner.windows[i].add(t, d);
  }
  if (k != kNoBucket && k == st.k) {
    st.b.apply(d);
    if (d.wait > st.wait_max) st.wait_max = d.wait;
  }
}

void WindowStore::record(std::uint32_t s, Timestamp t, const Delta& d) {
  Series& ser = *series_[s];
  stage(ser, s, staged_series_, t, d);
  if (!in_today(t)) return;
  ser.today.apply(d);
  const auto row = static_cast<std::size_t>((t - day_start_) / kIntervalStep);
  if (row >= kMaxIntervals) return;  // past a 25-hour day: cannot be today
  bool grown = false;
  for (int i = 0; i < d.size; ++i) {
    const std::uint8_t f = interval_field(d.fields[static_cast<std::size_t>(i)].field);
    if (f == kIntervalFieldCount) continue;
    if (!grown && ser.intervals.size() <= row) ser.intervals.resize(row + 1, IntervalRow{});
    grown = true;
    ser.intervals[row][f] += d.fields[static_cast<std::size_t>(i)].value;
  }
}

void WindowStore::record_team(std::uint32_t team, Timestamp t, const Delta& d) {
  Team& tm = *teams_[team];
  stage(tm, team, staged_teams_, t, d);
  if (in_today(t)) tm.today.apply(d);
}

void WindowStore::record_team_span(std::uint32_t team, Timestamp a, Timestamp b, std::uint8_t field,
                                   std::int64_t sign) {
  if (b <= a) return;
  Team& tm = *teams_[team];
  for (auto& w : tm.windows) w.add_span(a, b, field, sign);
  if (!tm.spans_pending) {
    tm.spans_pending = true;
    span_teams_.push_back(team);
  }
  if (++pending_spans_ >= kMaxPendingSpans) flush_deferred();
  if (in_today(b - 1)) {
    const Timestamp from = std::max(a, day_start_);
    if (b > from) {
      Delta d;
      d.add(field, sign * (b - from));
      tm.today.apply(d);
    }
  }
}

void WindowStore::flush_deferred() {
  for (const std::uint32_t t : span_teams_) {
    Team& tm = *teams_[t];
    for (auto& w : tm.windows) w.flush_spans();
    tm.spans_pending = false;
  }
  span_teams_.clear();
  pending_spans_ = 0;
  for (const std::uint32_t s : staged_series_) {
    if (series_[s]->staged.k != kNoBucket) unstage(*series_[s]);
    series_[s]->staged.listed = false;
  }
  staged_series_.clear();
  for (const std::uint32_t t : staged_teams_) {
    if (teams_[t]->staged.k != kNoBucket) unstage(*teams_[t]);
    teams_[t]->staged.listed = false;
  }
  staged_teams_.clear();
}

void WindowStore::observe_wait(SinceStartHistogram& h, Duration wait) const {
  const auto b = std::lower_bound(bounds_us_.begin(), bounds_us_.end(), wait);
  ++h.counts[static_cast<std::size_t>(b - bounds_us_.begin())];
  ++h.count;
  h.sum += wait;
}

}  // namespace ccmon::core::engine_detail
