#include "tools/bank/civil_time.hpp"

#include <charconv>
#include <cstdio>

namespace ccmon::bank {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;

// Parses exactly s.size() decimal digits; nullopt otherwise.
std::optional<int> parse_digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.front() == '-' || s.front() == '+') {
    return std::nullopt;
  }
  return value;
}

}  // namespace

LocalSeconds local_midnight(std::chrono::year_month_day date) {
  return static_cast<LocalSeconds>(sys_days(date).time_since_epoch().count()) * kSecondsPerDay;
}

std::chrono::year_month_day local_date(LocalSeconds t) {
  // Floor division: times before 1970 still land on the right day.
  std::int64_t days = t / kSecondsPerDay;
  if (t % kSecondsPerDay < 0) --days;
  return std::chrono::year_month_day(sys_days(std::chrono::days(days)));
}

std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = parse_digits(s.substr(0, 4));
  auto m = parse_digits(s.substr(5, 2));
  auto d = parse_digits(s.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day date{year(*y), month(static_cast<unsigned>(*m)),
                                   day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<std::chrono::year_month> parse_iso_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  auto y = parse_digits(s.substr(0, 4));
  auto m = parse_digits(s.substr(5, 2));
  if (!y || !m) return std::nullopt;
  std::chrono::year_month ym{year(*y), month(static_cast<unsigned>(*m))};
  if (!ym.ok()) return std::nullopt;
  return ym;
}

std::optional<int> parse_clock(std::string_view s) {
  // The records write hours without a leading zero ("7:19:22").
  if (s.size() != 7 && s.size() != 8) return std::nullopt;
  const std::size_t h_len = s.size() - 6;
  if (s[h_len] != ':' || s[h_len + 3] != ':') return std::nullopt;
  auto h = parse_digits(s.substr(0, h_len));
  auto m = parse_digits(s.substr(h_len + 1, 2));
  auto sec = parse_digits(s.substr(h_len + 4, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 59) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::int32_t OffsetRule::offset_at(LocalSeconds local) const {
  if (kind == Kind::kFixed) return fixed_s;
  // Israel, 1999 (tzdata Asia/Jerusalem): IDT +03:00 from 1999-04-02 02:00
  // IST to 1999-09-03 02:00 IDT; IST +02:00 otherwise.
  const LocalSeconds summer_from =
      local_midnight(std::chrono::year_month_day{year(1999), month(4), day(2)}) + 3 * 3600;
  const LocalSeconds summer_until =
      local_midnight(std::chrono::year_month_day{year(1999), month(9), day(3)}) + 2 * 3600;
  return local >= summer_from && local < summer_until ? 3 * 3600 : 2 * 3600;
}

std::optional<OffsetRule> parse_offset_rule(std::string_view s) {
  if (s == "israel-1999") return OffsetRule{OffsetRule::Kind::kIsrael1999, 0};
  if (s == "Z" || s == "z") return OffsetRule{OffsetRule::Kind::kFixed, 0};
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  auto h = parse_digits(s.substr(1, 2));
  auto m = parse_digits(s.substr(4, 2));
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  const std::int32_t magnitude = *h * 3600 + *m * 60;
  return OffsetRule{OffsetRule::Kind::kFixed, s[0] == '-' ? -magnitude : magnitude};
}

core::Timestamp to_utc(LocalSeconds local, std::int32_t offset_s) {
  return core::seconds(local - offset_s);
}

std::string format_rfc3339(LocalSeconds local, std::int32_t offset_s) {
  const auto date = local_date(local);
  const auto of_day = static_cast<int>(local - local_midnight(date));
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(date.year()),
                        unsigned(date.month()), unsigned(date.day()), of_day / 3600,
                        of_day / 60 % 60, of_day % 60);
  std::string out(buf, static_cast<std::size_t>(n));
  if (offset_s == 0) return out + "Z";
  const int magnitude = offset_s < 0 ? -offset_s : offset_s;
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_s < 0 ? '-' : '+', magnitude / 3600,
                    magnitude / 60 % 60);
  return out.append(buf, static_cast<std::size_t>(n));
}

}  // namespace ccmon::bank
