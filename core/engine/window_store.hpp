// The window store: per series (queue x channel) and per team, the trailing
// windows, the "today" accumulator and the since-start counters, plus the
// label sets that name them. Series and teams are created on first use and
// never removed (the label caps bound their number). Only the attribution
// (attribution.cpp) writes deltas here; snapshots read the sums.
//
// Invariants:
// - series_index_[queue][channel] is the series with those labels, or kNil;
//   team_index_[label] is the team with that label, or kNil;
// - every series and team has one window per configured length, in the
//   order of EngineConfig::windows;
// - with "today" on, today holds exactly the deltas timed in
//   [day_start_, next_day_start_) since the last roll.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/engine/engine_config.hpp"
#include "core/engine/fields.hpp"
#include "core/engine/labels.hpp"
#include "core/engine/lru_table.hpp"
#include "core/engine/persist_access.hpp"
#include "core/engine/window.hpp"

namespace ccmon::core::engine_detail {

inline constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();
inline constexpr LabelId kNoLabel = 0xFFFF;  // a label the event did not carry

struct SinceStartHistogram {
  std::vector<std::uint64_t> counts;  // per bound (wait <= bound), then +Inf
  std::uint64_t count = 0;
  Duration sum = 0;
};

// Today's fixed intervals (/v1/intervals): per series, the counts of each
// kIntervalStep from the local day's start, timed as the today window times
// them (offered at contact.queued, the outcomes at theirs). Coarser
// intervals (30m, 60m) are sums of these rows. A local day lasts 23 to 25
// hours, so at most kMaxIntervals rows.
inline constexpr Duration kIntervalStep = minutes(15);
inline constexpr std::size_t kMaxIntervals = 25 * 4;
enum IntervalField : std::uint8_t {
  kIvOffered,
  kIvAnswered,
  kIvAbandoned,
  kIvOverflowed,
  kIvAnsweredWithin,
  kIvAbandonedWithin,
  kIvShortAbandoned,
  kIvWaitAnsweredSum,  // us
  kIntervalFieldCount
};
using IntervalRow = std::array<std::int64_t, kIntervalFieldCount>;

// The interval field a window field adds to (kIntervalFieldCount: none).
constexpr std::uint8_t interval_field(std::uint8_t f) {
  switch (f) {
    case kOffered:
      return kIvOffered;
    case kAnswered:
      return kIvAnswered;
    case kAbandoned:
      return kIvAbandoned;
    case kOverflowed:
      return kIvOverflowed;
    case kAnsweredWithin:
      return kIvAnsweredWithin;
    case kAbandonedWithin:
      return kIvAbandonedWithin;
    case kShortAbandoned:
      return kIvShortAbandoned;
    case kWaitAnsweredSum:
      return kIvWaitAnsweredSum;
    default:
      return kIntervalFieldCount;
  }
}

struct Series {
  LabelId queue = 0, channel = 0;
  double threshold_s = 20, short_abandon_s = 5;
  Duration threshold = 0, short_abandon = 0;  // the same in us
  std::vector<Window<kFieldCount>> windows;
  // Its deltas in one bucket of WindowStore's staging width, the newest
  // written since the last flush, not in the windows yet (WindowStore::record).
  StagedBucket<kFieldCount> staged;
  DayTotals<kFieldCount> today;
  // Today's rows by kIntervalStep from the day's start, up to the latest
  // one written (cleared with today).
  std::vector<IntervalRow> intervals;

  // Since start (Prometheus counters).
  std::uint64_t offered_total = 0, answered_total = 0, abandoned_total = 0, handled_total = 0;
  std::uint64_t short_abandoned_total = 0, overflowed_total = 0;
  SinceStartHistogram wait_answered, wait_abandoned;
};

struct Team {
  LabelId label = 0;
  std::vector<Window<kTeamFieldCount>> windows;
  // As Series::staged: the newest bucket of deltas not in the windows yet.
  StagedBucket<kTeamFieldCount> staged;
  DayTotals<kTeamFieldCount> today;
  bool spans_pending = false;  // listed in WindowStore::span_teams_
};

class WindowStore {
 public:
  // Applies a (re)configuration: label limits, service-level thresholds,
  // histogram bounds, windows (a window whose length is unchanged keeps its
  // contents), and the local day (restarted when its definition changed).
  void configure(const EngineConfig& c);

  // The key label values are hashed under; set before any is interned.
  void set_hash_key(const HashKey& key) {
    labels_.queues.set_hash_key(key);
    labels_.channels.set_hash_key(key);
    labels_.teams.set_hash_key(key);
  }

  Labels& labels() { return labels_; }
  const Labels& labels() const { return labels_; }

  // The series / team for labels (kNoLabel: "unknown"), created on first use.
  std::uint32_t series_for(LabelId queue, LabelId channel);
  std::uint32_t team_for(LabelId team);

  // Adds a delta at time t to every window of a series / team and to today.
  // The windows get it at once or, when t lies in the series' (team's)
  // newest bucket of the finest window's width written since the last
  // flush, with that bucket's other deltas at the next flush_deferred() or
  // once a later bucket starts: one add per window and bucket rather than
  // per event.
  void record(std::uint32_t series, Timestamp t, const Delta& d);
  void record_team(std::uint32_t team, Timestamp t, const Delta& d);
  // Adds sign * the duration [a, b) to a team's time field, split across
  // the buckets it covers. Today at once; the windows' buckets at the next
  // flush_deferred() (Window::add_span).
  void record_team_span(std::uint32_t team, Timestamp a, Timestamp b, std::uint8_t field,
                        std::int64_t sign = 1);
  // Splits the spans recorded since the last call into the buckets of the
  // teams' windows, and adds the staged buckets to their windows
  // (Engine::flush_deferred says when). Until then the windows lack them;
  // today has them at once.
  void flush_deferred();
  // Spans noted before record_team_span() flushes by itself: a bound on
  // their memory (a noted span is 48 bytes per window) between snapshots.
  static constexpr std::size_t kMaxPendingSpans = 16384;
  // Skew allowed ahead of `now` (docs/events.md): such events keep a slot
  // in every window (the Window's headroom).
  static constexpr Duration kHeadroom = seconds(60);
  // Observes a wait (us) in a series' since-start histogram.
  void observe_wait(SinceStartHistogram& h, Duration wait) const;

  // Rolls "today" when `now` reached the next local day.
  void roll_day_if_due(Timestamp now);

  Series& series(std::uint32_t s) { return *series_[s]; }
  const Series& series(std::uint32_t s) const { return *series_[s]; }
  std::size_t series_count() const { return series_.size(); }
  Team& team(std::uint32_t t) { return *teams_[t]; }
  const Team& team(std::uint32_t t) const { return *teams_[t]; }
  std::size_t team_count() const { return teams_.size(); }
  // The team of a label an agent carries (kNoLabel: "unknown"), which
  // team_for() must have created.
  std::uint32_t team_of(LabelId label) const {
    return team_index_[label == kNoLabel ? LabelSet::kUnknown : label];
  }

  // Whether a quantity timed at t counts in today (rolling the day first
  // when t lies past it), as record() decides for its own deltas.
  bool today_at(Timestamp t) { return in_today(t); }
  const TimeZone& time_zone() const { return time_zone_; }

  const std::vector<double>& bounds_s() const { return bounds_s_; }
  bool today_enabled() const { return today_; }
  Timestamp day_start() const { return day_start_; }

 private:
  friend struct persist::Access;

  void set_thresholds(Series& s) const;
  // Stages d at t in owner's (a Series or Team) staged bucket, listed in
  // `staged` by `index`, or adds it to the windows at once (see record()).
  template <typename Owner>
  void stage(Owner& owner, std::uint32_t index, std::vector<std::uint32_t>& staged, Timestamp t,
             const Delta& d);
  // Adds a series' or team's staged bucket to its staged windows and empties it.
  template <typename Owner>
  void unstage(Owner& owner);
  bool in_today(Timestamp t);
  void roll_day(Timestamp t);

  Labels labels_;
  std::vector<std::unique_ptr<Series>> series_;
  // By queue label id, then channel label id: a label id is small and dense
  // (bounded by the caps), and this lookup runs for most events.
  std::vector<std::vector<std::uint32_t>> series_index_;
  std::vector<std::unique_ptr<Team>> teams_;
  std::vector<std::uint32_t> team_index_;     // by team label id
  std::vector<std::uint32_t> span_teams_;     // teams with spans pending, each once
  std::size_t pending_spans_ = 0;             // record_team_span() calls since the flush
  std::vector<std::uint32_t> staged_series_;  // series with a staged bucket, each once
  std::vector<std::uint32_t> staged_teams_;   // teams with a staged bucket, each once
  // The finest window's bucket width (0: no windows), and which windows
  // (by position) have a multiple of it and so take staged buckets.
  Duration stage_width_ = 0;
  std::vector<std::uint8_t> staged_window_;

  // From the configuration.
  std::vector<Duration> window_lengths_;
  std::vector<double> bounds_s_;     // since-start histogram bounds
  std::vector<Duration> bounds_us_;  // the same in us
  double threshold_s_ = 20, short_abandon_s_ = 5;
  std::vector<ServiceLevelOverride> overrides_;
  bool today_ = true;
  TimeZone time_zone_;
  int day_start_hour_ = 0;

  Timestamp day_start_ = kNever;
  Timestamp next_day_start_ = kNever;
};

}  // namespace ccmon::core::engine_detail
