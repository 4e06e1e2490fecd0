// UTC offsets and local day boundaries from a transition table. Local wall
// times are handled as "local microseconds": UTC micros + offset.
#include "core/tz/time_zone.hpp"

#include <algorithm>
#include <limits>

namespace ccmon::core {
namespace {

constexpr Duration kMicrosPerDay = hours(24);
// Real offsets stay within +-26 h, so every transition that can affect one
// local wall time lies within this distance of it.
constexpr Duration kSearchWindow = hours(27);

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Duration offset_micros(std::int32_t offset_s) {
  return seconds(offset_s);
}

// The UTC instant at which local wall time `local` starts: the earliest
// instant showing it (first occurrence in an overlap), or, when `local`
// falls in a gap, the transition that skips over it.
Timestamp utc_of_local(const TimeZone& tz, Timestamp local) {
  const auto& tr = tz.transitions;
  const auto by_at = [](const TimeZoneTransition& x, Timestamp t) { return x.at < t; };
  const auto first = std::lower_bound(tr.begin(), tr.end(), local - kSearchWindow, by_at);
  const auto last = std::lower_bound(tr.begin(), tr.end(), local + kSearchWindow, by_at);

  // Offsets in force around `local`: the one before the window, then each
  // transition's. A candidate u = local - offset is real if that offset is
  // the one in force at u.
  Timestamp best = std::numeric_limits<Timestamp>::max();
  const auto consider = [&](std::int32_t offset_s) {
    const Timestamp u = local - offset_micros(offset_s);
    if (tz.offset_at(u) == offset_s) best = std::min(best, u);
  };
  consider(first == tr.begin() ? tz.initial_offset_s : std::prev(first)->utc_offset_s);
  for (auto it = first; it != last; ++it) consider(it->utc_offset_s);
  if (best != std::numeric_limits<Timestamp>::max()) return best;

  // A gap: find the forward jump whose skipped wall times hold `local`.
  std::int32_t before = first == tr.begin() ? tz.initial_offset_s : std::prev(first)->utc_offset_s;
  for (auto it = first; it != last; ++it) {
    if (it->at + offset_micros(before) <= local &&
        local < it->at + offset_micros(it->utc_offset_s)) {
      return it->at;
    }
    before = it->utc_offset_s;
  }
  return local - offset_micros(tz.offset_at(local));  // unreachable for a sorted table
}

}  // namespace

std::int32_t TimeZone::offset_at(Timestamp t) const {
  // The last transition at or before t is in force.
  const auto it =
      std::upper_bound(transitions.begin(), transitions.end(), t,
                       [](Timestamp v, const TimeZoneTransition& x) { return v < x.at; });
  return it == transitions.begin() ? initial_offset_s : std::prev(it)->utc_offset_s;
}

Timestamp local_day_start(const TimeZone& tz, int day_start_hour, Timestamp now) {
  const Duration start_in_day = hours(day_start_hour);
  const Timestamp local_now = now + offset_micros(tz.offset_at(now));
  const std::int64_t day = floor_div(local_now - start_in_day, kMicrosPerDay);
  const auto start_of = [&](std::int64_t d) {
    return utc_of_local(tz, d * kMicrosPerDay + start_in_day);
  };
  // The wall clock names `day`, but after a backward jump it can show an
  // earlier day's hour although the next day has already begun (its first
  // occurrence is past), and the converse cannot be excluded for odd tables:
  // the day that contains `now` is the latest one that started by `now`.
  const Timestamp next = start_of(day + 1);
  if (next <= now) return next;
  const Timestamp current = start_of(day);
  return current <= now ? current : start_of(day - 1);
}

}  // namespace ccmon::core
