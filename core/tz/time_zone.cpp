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

// The UTC instant at which local wall time `local` starts: the first instant
// whose wall clock shows `local` or later. That is the first occurrence in an
// overlap, and the transition that skips over it in a gap. Taken as "or
// later" it grows with `local` even for tables whose jumps skip a time and
// later show it again, so a day never starts before the one it follows.
Timestamp utc_of_local(const TimeZone& tz, Timestamp local) {
  const auto& tr = tz.transitions;
  const auto by_at = [](const TimeZoneTransition& x, Timestamp t) { return x.at < t; };
  // Before local - window every wall time is earlier; by local + window every
  // one is later, so the answer lies among the spans of constant offset that
  // meet the window. In a span [from, to) with offset o, the wall clock shows
  // `local` or later from max(from, local - o).
  const auto first = std::lower_bound(tr.begin(), tr.end(), local - kSearchWindow, by_at);
  const auto last = std::lower_bound(tr.begin(), tr.end(), local + kSearchWindow, by_at);
  Timestamp from = std::numeric_limits<Timestamp>::min();
  std::int32_t offset_s =
      first == tr.begin() ? tz.initial_offset_s : std::prev(first)->utc_offset_s;
  for (auto it = first; it != last; ++it) {
    const Timestamp at = std::max(from, local - offset_micros(offset_s));
    if (at < it->at) return at;
    from = it->at;
    offset_s = it->utc_offset_s;
  }
  return std::max(from, local - offset_micros(offset_s));
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
  std::int64_t day = floor_div(local_now - start_in_day, kMicrosPerDay);
  const auto start_of = [&](std::int64_t d) {
    return utc_of_local(tz, d * kMicrosPerDay + start_in_day);
  };
  // The wall clock at `now` shows `day`'s start or later, so `day` has begun
  // by `now`. After a backward jump it can show an earlier day's hour although
  // a later day has already begun (offsets differ by up to 51 h, so up to two
  // days): the day that contains `now` is the latest one that started by it.
  while (start_of(day + 1) <= now) ++day;
  return start_of(day);
}

}  // namespace ccmon::core
