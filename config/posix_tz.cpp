#include "config/posix_tz.hpp"

#include <algorithm>
#include <cctype>

namespace ccmon::config {
namespace {

// A cursor over the TZ string; every reader returns false on malformed input.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // Zone abbreviation: 3+ letters, or <...> quoting signs and digits.
  bool name() {
    std::size_t n = 0;
    if (take('<')) {
      while (!done() && peek() != '>') {
        const char c = peek();
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++pos_;
        ++n;
      }
      return take('>') && n >= 3;
    }
    while (std::isalpha(static_cast<unsigned char>(peek()))) {
      ++pos_;
      ++n;
    }
    return n >= 3;
  }

  bool number(int max, int& out) {
    out = 0;
    std::size_t n = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      out = out * 10 + (text_[pos_] - '0');
      if (out > max) return false;
      ++pos_;
      ++n;
    }
    return n > 0;
  }

  // [+-]hh[:mm[:ss]] in seconds; hours up to `max_hours`.
  bool hms(int max_hours, std::int32_t& out) {
    int sign = 1;
    if (take('-')) {
      sign = -1;
    } else {
      take('+');
    }
    int h = 0, m = 0, s = 0;
    if (!number(max_hours, h)) return false;
    if (take(':')) {
      if (!number(59, m)) return false;
      if (take(':') && !number(59, s)) return false;
    }
    out = sign * (h * 3600 + m * 60 + s);
    return true;
  }

  bool date(PosixTzDate& d) {
    if (take('M')) {
      d.kind = PosixTzDate::Kind::kMonthWeekDay;
      if (!number(12, d.month) || d.month < 1 || !take('.')) return false;
      if (!number(5, d.week) || d.week < 1 || !take('.')) return false;
      if (!number(6, d.weekday)) return false;
    } else if (take('J')) {
      d.kind = PosixTzDate::Kind::kJulianNoLeap;
      if (!number(365, d.day) || d.day < 1) return false;
    } else {
      d.kind = PosixTzDate::Kind::kZeroBased;
      if (!number(365, d.day)) return false;
    }
    // TZif v3 (RFC 8536) widens the time to -167..167 hours.
    if (take('/')) return hms(167, d.time_s);
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days since the epoch of the local date `d` names in `year`.
std::int64_t day_of(const PosixTzDate& d, int year) {
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  switch (d.kind) {
    case PosixTzDate::Kind::kJulianNoLeap:
      return jan1 + d.day - 1 + (is_leap(year) && d.day >= 60 ? 1 : 0);
    case PosixTzDate::Kind::kZeroBased:
      return jan1 + d.day;
    case PosixTzDate::Kind::kMonthWeekDay:
      break;
  }
  const std::int64_t first = days_from_civil(year, d.month, 1);
  // 1970-01-01 was a Thursday (weekday 4).
  const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);
  int mday = 1 + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
  while (mday > days_in_month(year, d.month)) mday -= 7;  // week 5 = last
  return first + mday - 1;
}

}  // namespace

std::int64_t days_from_civil(int year, int month, int day) {
  // Shift the year to start in March so February's length sits at the end.
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<PosixTz> parse_posix_tz(std::string_view text, std::string& error) {
  Cursor c(text);
  PosixTz tz;
  std::int32_t posix_offset = 0;
  auto fail = [&](const char* what) {
    error = "POSIX TZ rule \"" + std::string(text) + "\": " + what;
    return std::nullopt;
  };
  if (!c.name()) return fail("bad standard-time name");
  if (!c.hms(24, posix_offset)) return fail("bad standard-time offset");
  tz.std_utc_offset_s = -posix_offset;
  if (c.done()) return tz;

  PosixTzDst dst;
  if (!c.name()) return fail("bad daylight-time name");
  dst.utc_offset_s = tz.std_utc_offset_s + 3600;
  if (c.peek() != ',' && !c.done()) {
    if (!c.hms(24, posix_offset)) return fail("bad daylight-time offset");
    dst.utc_offset_s = -posix_offset;
  }
  if (!c.take(',')) return fail("daylight time without a start,end rule");
  if (!c.date(dst.start)) return fail("bad DST start date");
  if (!c.take(',')) return fail("missing DST end date");
  if (!c.date(dst.end)) return fail("bad DST end date");
  if (!c.done()) return fail("trailing characters");
  tz.dst = dst;
  return tz;
}

std::vector<core::TimeZoneTransition> expand_posix_tz(const PosixTz& tz, int first_year,
                                                      int last_year) {
  std::vector<core::TimeZoneTransition> out;
  if (!tz.dst) return out;
  const PosixTzDst& dst = *tz.dst;
  auto instant = [](std::int64_t day, std::int32_t local_time_s, std::int32_t offset_before) {
    return (day * 86400 + local_time_s - offset_before) * core::kMicrosPerSecond;
  };
  for (int year = first_year; year <= last_year; ++year) {
    // The start is given in standard time, the end in daylight time.
    core::TimeZoneTransition start{
        instant(day_of(dst.start, year), dst.start.time_s, tz.std_utc_offset_s), dst.utc_offset_s};
    core::TimeZoneTransition end{instant(day_of(dst.end, year), dst.end.time_s, dst.utc_offset_s),
                                 tz.std_utc_offset_s};
    if (end.at < start.at) {  // southern hemisphere: DST spans the new year
      out.push_back(end);
      out.push_back(start);
    } else {
      out.push_back(start);
      out.push_back(end);
    }
  }
  // Stable, so an end and the next start at one instant keep that order.
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  std::vector<core::TimeZoneTransition> merged;
  for (const auto& t : out) {
    if (!merged.empty() && merged.back().at == t.at) merged.pop_back();
    if (merged.empty() || merged.back().utc_offset_s != t.utc_offset_s) merged.push_back(t);
  }
  return merged;
}

}  // namespace ccmon::config
