// A time zone as a table of UTC-offset transitions, so that "today" can be
// computed in the pure core. config/ fills it from the system's TZif files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace ccmon::core {

struct TimeZoneTransition {
  Timestamp at = 0;  // UTC instant from which `utc_offset_s` applies
  std::int32_t utc_offset_s = 0;
};

struct TimeZone {
  std::string name = "UTC";
  std::int32_t initial_offset_s = 0;            // before the first transition
  std::vector<TimeZoneTransition> transitions;  // sorted by `at`
  // Offset used after the last transition when the TZif footer has a POSIX
  // rule; config/ expands such rules into explicit transitions for the years
  // the daemon can meet, so the core only ever looks up this table.

  // Offset of local time from UTC at the UTC instant t.
  std::int32_t offset_at(Timestamp t) const;
};

// Start (as a UTC instant) of the local day that contains `now`, where a day
// begins at `day_start_hour`:00 local time. Correct across DST changes: on a
// day whose start hour does not exist locally, the day starts at the first
// instant after the gap; when it occurs twice (a backward jump), the day
// starts at its first occurrence. In general a day starts the first time
// the wall clock shows its start hour or later, and `now` lies in the latest
// day that has started by then, so the result is never after `now`, even for
// tables whose jumps skip an hour and show it again later.
Timestamp local_day_start(const TimeZone& tz, int day_start_hour, Timestamp now);

}  // namespace ccmon::core
