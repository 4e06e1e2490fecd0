#include "core/exposition/rfc3339_format.hpp"

#include <chrono>
#include <cstdint>

namespace ccmon::core {
namespace {

// Writes `v` as exactly `width` decimal digits, zero-padded.
void put_digits(char* p, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

std::string format_rfc3339(Timestamp t) {
  using namespace std::chrono;
  constexpr std::int64_t kMillisPerDay = 86'400'000;
  // Days from 1970-01-01 to 0000-01-01 and to 10000-01-01 (proleptic Gregorian).
  const std::int64_t min_ms =
      static_cast<std::int64_t>(sys_days{year{0} / January / 1}.time_since_epoch().count()) *
      kMillisPerDay;
  const std::int64_t max_ms =
      static_cast<std::int64_t>(sys_days{year{10000} / January / 1}.time_since_epoch().count()) *
          kMillisPerDay -
      1;

  // Floor division: -1 us is 1969-12-31T23:59:59.999, not 1970-01-01.
  std::int64_t ms = t / 1000 - (t % 1000 < 0 ? 1 : 0);
  ms = ms < min_ms ? min_ms : (ms > max_ms ? max_ms : ms);
  std::int64_t day_count = ms / kMillisPerDay - (ms % kMillisPerDay < 0 ? 1 : 0);
  std::int64_t in_day = ms - day_count * kMillisPerDay;

  const year_month_day ymd{sys_days{days{static_cast<int>(day_count)}}};
  std::string out(24, '\0');  // YYYY-MM-DDTHH:MM:SS.mmmZ
  char* p = out.data();
  put_digits(p, static_cast<int>(ymd.year()), 4);
  p[4] = '-';
  put_digits(p + 5, static_cast<unsigned>(ymd.month()), 2);
  p[7] = '-';
  put_digits(p + 8, static_cast<unsigned>(ymd.day()), 2);
  p[10] = 'T';
  put_digits(p + 11, in_day / 3'600'000, 2);
  p[13] = ':';
  put_digits(p + 14, in_day / 60'000 % 60, 2);
  p[16] = ':';
  put_digits(p + 17, in_day / 1000 % 60, 2);
  p[19] = '.';
  put_digits(p + 20, in_day % 1000, 3);
  p[23] = 'Z';
  return out;
}

std::string format_rfc3339_offset(Timestamp t, std::int32_t utc_offset_s) {
  // The local clock is the UTC formatting of t + offset; its "Z" and
  // milliseconds give way to the offset.
  std::string out = format_rfc3339(t + Duration{utc_offset_s} * kMicrosPerSecond).substr(0, 19);
  const std::int32_t a = utc_offset_s < 0 ? -utc_offset_s : utc_offset_s;
  char tail[6];
  tail[0] = utc_offset_s < 0 ? '-' : '+';
  put_digits(tail + 1, a / 3600, 2);
  tail[3] = ':';
  put_digits(tail + 4, a / 60 % 60, 2);
  out.append(tail, 6);
  return out;
}

}  // namespace ccmon::core
