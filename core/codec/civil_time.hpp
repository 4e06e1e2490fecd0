// Proleptic Gregorian calendar arithmetic for the codec (internal header).
#pragma once

#include <cstdint>

namespace ccmon::core::codec_detail {

constexpr bool is_leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(int y, int m) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d. Years are counted from March so that the
// leap day is the last day of the counted year; 400-year eras repeat exactly
// (146097 days), which keeps the arithmetic branch-free and exact.
constexpr std::int64_t days_from_civil(int y, int m, int d) {
  const int ym = m <= 2 ? y - 1 : y;
  const int era = (ym >= 0 ? ym : ym - 399) / 400;
  const int year_of_era = ym - era * 400;                            // 0..399
  const int month_from_march = m > 2 ? m - 3 : m + 9;                // 0..11
  const int day_of_year = (153 * month_from_march + 2) / 5 + d - 1;  // 0..365
  const int day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // 0..146096
  // 719468 = days from 0000-03-01 to 1970-01-01.
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace ccmon::core::codec_detail
