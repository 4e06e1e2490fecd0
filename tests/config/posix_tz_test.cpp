// POSIX TZ footer rules, expanded into transitions. Instants are computed by
// hand: days since 1970-01-01 to 2026-01-01 = 56 * 365 + 14 leap days = 20454;
// to 2024-01-01 = 54 * 365 + 13 = 19723. 2026-03-01 is a Sunday (Jan 1 2026
// is a Thursday, + 59 days), 2026-10-01 a Thursday, 2026-04-01 a Wednesday.
#include "config/posix_tz.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ccmon::config::expand_posix_tz;
using ccmon::config::parse_posix_tz;
using ccmon::core::TimeZoneTransition;

namespace {

constexpr std::int64_t kUs = 1'000'000;

std::vector<TimeZoneTransition> expand(const std::string& rule, int first, int last) {
  std::string error;
  const auto tz = parse_posix_tz(rule, error);
  INFO(error);
  REQUIRE(tz);
  return expand_posix_tz(*tz, first, last);
}

}  // namespace

TEST_CASE("days_from_civil counts from the epoch", "[config][tz]") {
  CHECK(ccmon::config::days_from_civil(1970, 1, 1) == 0);
  CHECK(ccmon::config::days_from_civil(2026, 1, 1) == 20454);
  CHECK(ccmon::config::days_from_civil(2024, 3, 1) == 19723 + 31 + 29);
  CHECK(ccmon::config::days_from_civil(1969, 12, 31) == -1);
}

TEST_CASE("US rule: second Sunday of March to first Sunday of November", "[config][tz]") {
  const auto t = expand("EST5EDT,M3.2.0,M11.1.0", 2026, 2026);
  REQUIRE(t.size() == 2);
  // 2026-03-08 (second Sunday) = day 20454 + 31 + 28 + 7 = 20520;
  // 02:00 EST = 07:00Z: 20520 * 86400 + 25200 = 1772953200.
  CHECK(t[0].at == 1'772'953'200 * kUs);
  CHECK(t[0].utc_offset_s == -4 * 3600);
  // 2026-11-01 (first Sunday) = day 20454 + 304 = 20758; 02:00 EDT = 06:00Z:
  // 20758 * 86400 + 21600 = 1793512800.
  CHECK(t[1].at == 1'793'512'800 * kUs);
  CHECK(t[1].utc_offset_s == -5 * 3600);
}

TEST_CASE("EU rule with an explicit end time", "[config][tz]") {
  const auto t = expand("CET-1CEST,M3.5.0,M10.5.0/3", 2026, 2026);
  REQUIRE(t.size() == 2);
  // Last Sunday of March 2026 = 29th: day 20454 + 59 + 28 = 20541;
  // 02:00 CET = 01:00Z: 20541 * 86400 + 3600 = 1774746000 (2026-03-29T01:00Z).
  CHECK(t[0].at == 1'774'746'000 * kUs);
  CHECK(t[0].utc_offset_s == 7200);
  // Last Sunday of October 2026 = 25th: day 20454 + 273 + 24 = 20751;
  // 03:00 CEST = 01:00Z: 20751 * 86400 + 3600 = 1792890000 (2026-10-25T01:00Z).
  CHECK(t[1].at == 1'792'890'000 * kUs);
  CHECK(t[1].utc_offset_s == 3600);
}

TEST_CASE("southern hemisphere rule with a 30-minute DST step", "[config][tz]") {
  const auto t = expand("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026, 2026);
  REQUIRE(t.size() == 2);
  // DST ends first: Sunday 2026-04-05 = day 20454 + 90 + 4 = 20548, at 02:00
  // +11: 20548 * 86400 + 7200 - 39600 = 1775314800 (2026-04-04T15:00Z).
  CHECK(t[0].at == 1'775'314'800 * kUs);
  CHECK(t[0].utc_offset_s == 37800);  // 10 h 30
  // Starts Sunday 2026-10-04 = day 20454 + 273 + 3 = 20730, at 02:00 +10:30:
  // 20730 * 86400 + 7200 - 37800 = 1791041400 (2026-10-03T15:30Z).
  CHECK(t[1].at == 1'791'041'400 * kUs);
  CHECK(t[1].utc_offset_s == 39600);
}

TEST_CASE("TZif v3 rule times past 24 hours", "[config][tz]") {
  const auto t = expand("IST-2IDT,M3.4.4/26,M10.5.0", 2026, 2026);
  REQUIRE(t.size() == 2);
  // Fourth Thursday of March 2026 = 26th (Thursdays 5, 12, 19, 26): day
  // 20454 + 59 + 25 = 20538, at 26:00 +02: 20538 * 86400 + 93600 - 7200
  // = 1774569600 (2026-03-27T00:00Z).
  CHECK(t[0].at == 1'774'569'600 * kUs);
  CHECK(t[0].utc_offset_s == 3 * 3600);
  // Sunday 2026-10-25 at 02:00 +03: 20751 * 86400 + 7200 - 10800 = 1792882800.
  CHECK(t[1].at == 1'792'882'800 * kUs);
  CHECK(t[1].utc_offset_s == 2 * 3600);
}

TEST_CASE("Julian day forms, with and without February 29", "[config][tz]") {
  // Two years of: DST from J60 (March 1, leap day not counted) to zero-based
  // day 300 (leap day counted).
  const auto t = expand("AAA0BBB,J60,300", 2024, 2025);
  REQUIRE(t.size() == 4);
  // 2024-03-01 = day 19723 + 60 = 19783, 02:00Z: 19783 * 86400 + 7200.
  CHECK(t[0].at == 1'709'258'400 * kUs);
  // 2024 zero-based day 300 = October 27 (Jan..Sep = 274 days, + 26), at
  // 02:00 BBB (+1) = 01:00Z: (19723 + 300) * 86400 + 3600 = 1729990800.
  CHECK(t[1].at == 1'729'990'800 * kUs);
  // 2025: J60 is still March 1: (19723 + 366 + 59) * 86400 + 7200.
  CHECK(t[2].at == 1'740'794'400 * kUs);
  CHECK(t[2].utc_offset_s == 3600);
  CHECK(t[3].utc_offset_s == 0);
}

TEST_CASE("a rule without DST has no transitions", "[config][tz]") {
  std::string error;
  const auto tz = parse_posix_tz("<-03>3", error);
  REQUIRE(tz);
  CHECK(tz->std_utc_offset_s == -3 * 3600);  // POSIX offsets are west-positive
  CHECK_FALSE(tz->dst);
  CHECK(expand_posix_tz(*tz, 2026, 2100).empty());
}

TEST_CASE("malformed POSIX TZ rules are rejected with a reason", "[config][tz]") {
  const char* bad[] = {
      "",                           // empty
      "X5",                         // name shorter than 3 letters
      "EST",                        // no offset
      "EST5EDT",                    // DST but no rule
      "CET-1CEST,M13.5.0,M10.5.0",  // month 13
      "CET-1CEST,M3.6.0,M10.5.0",   // week 6
      "CET-1CEST,M3.5.7,M10.5.0",   // weekday 7
      "CET-1CEST,M3.5.0",           // no end
      "AAA0BBB,J0,J300",            // Julian days start at 1
      "CET-1CEST,M3.5.0,M10.5.0x",  // trailing text
  };
  for (const char* rule : bad) {
    INFO("rule " << rule);
    std::string error;
    CHECK_FALSE(parse_posix_tz(rule, error));
    CHECK_FALSE(error.empty());
  }
}
