// Engine: configuration, attribution helpers, eviction and the public API.
// Event handlers live in engine_events.cpp, snapshots in engine_snapshot.cpp.
#include "core/engine/engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "core/engine/engine_state.hpp"
#include "core/engine/snapshot.hpp"
#include "core/glob.hpp"

namespace ccmon::core {

using namespace engine_detail;

namespace {

constexpr double kDefaultBounds[] = {1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200};

// Skew allowed ahead of `now` (spec/events.md): such events keep a slot.
constexpr Duration kHeadroom = seconds(60);

Duration to_us(double s) {
  return static_cast<Duration>(std::llround(s * kMicrosPerSecond));
}

}  // namespace

Engine::State::State(EngineConfig c) {
  configure(std::move(c));
}

void Engine::State::set_thresholds(Series& s) const {
  double t = config.service_level_threshold_s, sa = config.short_abandon_threshold_s;
  for (const auto& o : config.service_level_overrides) {
    if (!glob_match(o.queue, queues.name(s.queue)) ||
        !glob_match(o.channel, channels.name(s.channel)))
      continue;
    if (o.threshold_s) t = *o.threshold_s;
    if (o.short_abandon_s) sa = *o.short_abandon_s;
  }
  s.threshold_s = t;
  s.short_abandon_s = sa;
  s.threshold = to_us(t);
  s.short_abandon = to_us(sa);
}

void Engine::State::configure(EngineConfig c) {
  const bool day_changed = c.time_zone.name != config.time_zone.name ||
                           c.time_zone.initial_offset_s != config.time_zone.initial_offset_s ||
                           c.time_zone.transitions.size() != config.time_zone.transitions.size() ||
                           c.day_start_hour != config.day_start_hour ||
                           c.today_window != config.today_window;
  config = std::move(c);
  queues.set_limits(config.limits.queues, config.limits.max_queues);
  channels.set_limits({}, config.limits.max_channels);
  teams.set_limits(config.limits.teams, config.limits.max_teams);

  // Since-start histogram bounds: defaults, every SL threshold, extras.
  std::vector<double> b(std::begin(kDefaultBounds), std::end(kDefaultBounds));
  b.push_back(config.service_level_threshold_s);
  b.push_back(config.short_abandon_threshold_s);
  for (const auto& o : config.service_level_overrides) {
    if (o.threshold_s) b.push_back(*o.threshold_s);
    if (o.short_abandon_s) b.push_back(*o.short_abandon_s);
  }
  b.insert(b.end(), config.extra_wait_buckets_s.begin(), config.extra_wait_buckets_s.end());
  std::erase_if(b, [](double v) { return !(v > 0) || !std::isfinite(v); });
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  const bool bounds_changed = b != bounds_s;
  bounds_s = std::move(b);
  bounds_us.clear();
  for (double v : bounds_s) bounds_us.push_back(to_us(v));

  // Windows whose length is unchanged keep their contents (matched by
  // position in the old list); others restart empty.
  std::vector<Duration> lengths;
  for (const auto& w : config.windows) lengths.push_back(w.length);
  auto remap = [&](auto& windows) {
    using W = typename std::decay_t<decltype(windows)>::value_type;
    std::vector<W> out;
    std::vector<bool> used(windows.size(), false);
    for (Duration len : lengths) {
      bool moved = false;
      for (std::size_t i = 0; i < windows.size() && !moved; ++i) {
        if (!used[i] && i < window_lengths.size() && window_lengths[i] == len) {
          out.push_back(std::move(windows[i]));
          used[i] = moved = true;
        }
      }
      if (!moved) out.emplace_back(len, kHeadroom);
    }
    windows = std::move(out);
  };
  for (auto& s : series) {
    remap(s->windows);
    set_thresholds(*s);
    if (bounds_changed) {
      s->wait_answered = {std::vector<std::uint64_t>(bounds_s.size() + 1, 0), 0, 0};
      s->wait_abandoned = s->wait_answered;
    }
  }
  for (auto& t : team_list) remap(t->windows);
  window_lengths = std::move(lengths);
  if (day_changed) {  // the day boundary may have moved: restart today
    day_start = next_day_start = kNever;
    for (auto& s : series) s->today.clear();
    for (auto& t : team_list) t->today.clear();
  }
}

LabelId Engine::State::queue_label(std::string_view v) {
  bool folded = false;
  const LabelId id = queues.resolve(v, folded);
  event_folded |= folded;
  return id;
}

LabelId Engine::State::channel_label(std::string_view v) {
  bool folded = false;
  const LabelId id = channels.resolve(v, folded);
  event_folded |= folded;
  return id;
}

std::uint32_t Engine::State::series_for(LabelId q, LabelId c) {
  if (q == kNoLabel) q = LabelSet::kUnknown;
  if (c == kNoLabel) c = LabelSet::kUnknown;
  const std::uint32_t key = (std::uint32_t{q} << 16) | c;
  auto [it, inserted] = series_index.try_emplace(key, static_cast<std::uint32_t>(series.size()));
  if (inserted) {
    auto s = std::make_unique<Series>();
    s->queue = q;
    s->channel = c;
    for (Duration len : window_lengths) s->windows.emplace_back(len, kHeadroom);
    set_thresholds(*s);
    s->wait_answered.counts.assign(bounds_s.size() + 1, 0);
    s->wait_abandoned.counts.assign(bounds_s.size() + 1, 0);
    series.push_back(std::move(s));
  }
  return it->second;
}

std::uint32_t Engine::State::team_for(LabelId t) {
  if (t == kNoLabel) t = LabelSet::kUnknown;
  if (team_index.size() <= t) team_index.resize(t + 1u, kNil);
  if (team_index[t] == kNil) {
    team_index[t] = static_cast<std::uint32_t>(team_list.size());
    auto team = std::make_unique<Team>();
    team->label = t;
    for (Duration len : window_lengths) team->windows.emplace_back(len, kHeadroom);
    team_list.push_back(std::move(team));
  }
  return team_index[t];
}

void Engine::State::roll_day(Timestamp t) {
  day_start = local_day_start(config.time_zone, config.day_start_hour, t);
  // Local days last 23 to 25 h: 25 h after a start lies in the next day (or
  // exactly on its start).
  next_day_start = local_day_start(config.time_zone, config.day_start_hour, day_start + hours(25));
  if (next_day_start <= day_start) next_day_start = day_start + hours(24);
  for (auto& s : series) s->today.clear();
  for (auto& team : team_list) team->today.clear();
}

bool Engine::State::in_today(Timestamp t) {
  if (!config.today_window) return false;
  if (day_start == kNever || t >= next_day_start) roll_day(t);
  return t >= day_start;
}

void Engine::State::record(std::uint32_t s, Timestamp t, const Delta& d) {
  Series& ser = *series[s];
  for (auto& w : ser.windows) w.add(t, d);
  if (in_today(t)) ser.today.apply(d);
}

void Engine::State::record_team(std::uint32_t team, Timestamp t, const Delta& d) {
  Team& tm = *team_list[team];
  for (auto& w : tm.windows) w.add(t, d);
  if (in_today(t)) tm.today.apply(d);
}

void Engine::State::record_team_span(std::uint32_t team, Timestamp a, Timestamp b,
                                     std::uint8_t field, std::int64_t sign) {
  if (b <= a) return;
  Team& tm = *team_list[team];
  for (auto& w : tm.windows) w.add_span(a, b, field, sign);
  if (in_today(b - 1)) {
    const Timestamp from = std::max(a, day_start);
    if (b > from) {
      Delta d;
      d.add(field, sign * (b - from));
      tm.today.apply(d);
    }
  }
}

void Engine::State::evict_contact(std::uint32_t c) {
  Contact& k = contacts[c];
  if (k.phase == Phase::kWaiting) leave_waiting(c);
  if (k.phase == Phase::kActive && k.series != kNil) --series[k.series]->active;
  contacts.erase(c);
  ++stats.evicted_contacts_total;
}

void Engine::State::evict_case(std::uint32_t k) {
  Case& cs = cases[k];
  if (cs.open && cs.series != kNil) --series[cs.series]->cases_active;
  cases.erase(k);
  ++stats.evicted_cases_total;
}

void Engine::State::advance(Timestamp now) {
  while (!acw_due.empty() && acw_due.top().due <= now) {
    const AcwDue d = acw_due.top();
    acw_due.pop();
    if (!contacts.valid(d.contact)) continue;
    const Contact& k = contacts[d.contact.slot];
    if (k.phase == Phase::kAcw && k.ended_at == d.ended_at) close_acw(d.contact.slot, d.due);
  }
  for (std::uint32_t c = contacts.oldest();
       c != kNil && contacts[c].last_event <= now - config.contact_idle_timeout;
       c = contacts.oldest()) {
    evict_contact(c);
  }
  for (std::uint32_t k = cases.oldest();
       k != kNil && cases[k].last_event <= now - config.case_idle_timeout; k = cases.oldest()) {
    evict_case(k);
  }
  if (config.today_window && day_start != kNever && now >= next_day_start) roll_day(now);
}

// Public API.

Engine::Engine(EngineConfig config) : state_(std::make_unique<State>(std::move(config))) {}
Engine::~Engine() = default;

ApplyResult Engine::apply(const Event& event) {
  return state_->apply(event);
}

void Engine::apply(std::span<const Event* const> events) {
  // Two-stage software pipeline over the contact table: the probe cell of
  // the event kAhead places on, then the record of the one kAhead / 2 on.
  constexpr std::size_t kAhead = 8;
  const auto& table = state_->contacts;
  std::array<std::uint64_t, kAhead> hashes{};  // ring: hash of events[j] at j % kAhead
  auto stage1 = [&](std::size_t j) {
    if (j >= events.size() || events[j]->contact.empty()) return;
    hashes[j % kAhead] = table.hash_of(events[j]->contact);
    table.prefetch_cell(hashes[j % kAhead]);
  };
  for (std::size_t j = 0; j < kAhead && j < events.size(); ++j) stage1(j);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::size_t half = i + kAhead / 2;
    if (half < events.size() && !events[half]->contact.empty()) {
      table.prefetch_record(hashes[half % kAhead]);
    }
    state_->apply(*events[i]);
    stage1(i + kAhead);
  }
}

void Engine::advance(Timestamp now) {
  state_->advance(now);
}

std::shared_ptr<const Snapshot> Engine::snapshot(Timestamp now) {
  return state_->snapshot(now);
}

void Engine::reconfigure(EngineConfig config) {
  state_->configure(std::move(config));
}

EngineStats Engine::stats() const {
  EngineStats s = state_->stats;
  s.tracked_contacts = state_->contacts.size();
  s.tracked_cases = state_->cases.size();
  s.tracked_agents = state_->agents.size();
  return s;
}

}  // namespace ccmon::core
