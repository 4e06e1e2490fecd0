// POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3"), the form TZif footers use to
// describe local time after the last explicit transition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tz/time_zone.hpp"

namespace ccmon::config {

// A day of the year on which DST starts or ends, with the local wall-clock
// time of the change (may be negative or past 24 h, as TZif v3 allows).
struct PosixTzDate {
  enum class Kind {
    kJulianNoLeap,  // "Jn": 1..365, February 29 never counted
    kZeroBased,     // "n": 0..365, February 29 counted in leap years
    kMonthWeekDay,  // "Mm.w.d": day d (0 = Sunday) of week w (5 = last) of month m
  };
  Kind kind = Kind::kMonthWeekDay;
  int day = 0;  // kJulianNoLeap, kZeroBased
  int month = 1, week = 1, weekday = 0;
  std::int32_t time_s = 2 * 3600;  // POSIX default 02:00
};

struct PosixTzDst {
  std::int32_t utc_offset_s = 0;  // east of UTC positive (POSIX writes it negated)
  PosixTzDate start, end;
};

struct PosixTz {
  std::int32_t std_utc_offset_s = 0;  // east of UTC positive
  std::optional<PosixTzDst> dst;
};

// nullopt (and `error` set) when `text` is not a POSIX TZ string with either no
// DST or an explicit DST rule.
std::optional<PosixTz> parse_posix_tz(std::string_view text, std::string& error);

// The transitions `tz` implies during years first_year..last_year (UTC years of
// the local dates), sorted, each one changing the offset.
std::vector<core::TimeZoneTransition> expand_posix_tz(const PosixTz& tz, int first_year,
                                                      int last_year);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
std::int64_t days_from_civil(int year, int month, int day);

}  // namespace ccmon::config
