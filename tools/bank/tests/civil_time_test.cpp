#include "tools/bank/civil_time.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::bank;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

namespace {
// 1970-01-01 -> 1999-01-01: 29 years of 365 days + 7 leap days (1972 ... 1996)
// = 10592 days; + January (31) + February (28) + 14 = 10665 days to 1999-03-15.
constexpr LocalSeconds kMarch15 = 10665LL * 86400;  // = 921'456'000
}  // namespace

TEST_CASE("parse_clock reads H:MM:SS and HH:MM:SS", "[bank][civil]") {
  struct Row {
    const char* text;
    std::optional<int> seconds;
  };
  const Row rows[] = {
      {"7:19:22", 7 * 3600 + 19 * 60 + 22},  // 26362
      {"07:19:22", 26362},
      {"0:00:00", 0},
      {"23:59:59", 23 * 3600 + 59 * 60 + 59},  // 86399
      {"24:00:00", std::nullopt},
      {"7:60:00", std::nullopt},
      {"7:19:61", std::nullopt},
      {"7:19", std::nullopt},
      {"a:bc:de", std::nullopt},
      {"-1:00:00", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(parse_clock(row.text) == row.seconds);
  }
}

TEST_CASE("ISO dates and months", "[bank][civil]") {
  CHECK(parse_iso_date("1999-03-15") == year_month_day{year(1999), month(3), day(15)});
  CHECK_FALSE(parse_iso_date("1999-02-29"));  // 1999 is not a leap year
  CHECK_FALSE(parse_iso_date("1999-3-15"));
  CHECK_FALSE(parse_iso_date("19990315"));
  CHECK(parse_iso_month("1999-10") == std::chrono::year_month{year(1999), month(10)});
  CHECK_FALSE(parse_iso_month("1999-13"));
  CHECK_FALSE(parse_iso_month("1999-1"));
}

TEST_CASE("local midnight and back", "[bank][civil]") {
  const year_month_day d{year(1999), month(3), day(15)};
  CHECK(local_midnight(d) == kMarch15);
  CHECK(local_date(kMarch15 + 86399) == d);
  CHECK(local_date(kMarch15 + 86400) == year_month_day{year(1999), month(3), day(16)});
}

TEST_CASE("offset rules", "[bank][civil]") {
  struct Row {
    const char* text;
    std::optional<std::int32_t> fixed;
  };
  const Row rows[] = {
      {"+02:00", 2 * 3600},
      {"-05:30", -(5 * 3600 + 30 * 60)},  // -19800
      {"Z", 0},
      {"+00:00", 0},
      {"02:00", std::nullopt},
      {"+2:00", std::nullopt},
      {"+24:00", std::nullopt},
      {"Asia/Jerusalem", std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto rule = parse_offset_rule(row.text);
    REQUIRE(rule.has_value() == row.fixed.has_value());
    if (rule) CHECK(rule->offset_at(kMarch15) == *row.fixed);
  }
}

TEST_CASE("israel-1999 applies the 1999 summer time", "[bank][civil]") {
  const auto rule = parse_offset_rule("israel-1999");
  REQUIRE(rule);
  const LocalSeconds apr2 = local_midnight(year_month_day{year(1999), month(4), day(2)});
  const LocalSeconds sep3 = local_midnight(year_month_day{year(1999), month(9), day(3)});
  CHECK(rule->offset_at(kMarch15) == 7200);              // winter
  CHECK(rule->offset_at(apr2 + 2 * 3600 - 1) == 7200);   // 01:59:59, before the jump
  CHECK(rule->offset_at(apr2 + 3 * 3600) == 10800);      // 03:00:00 IDT
  CHECK(rule->offset_at(sep3 + 2 * 3600 - 1) == 10800);  // 01:59:59, first reading
  CHECK(rule->offset_at(sep3 + 2 * 3600) == 7200);       // 02:00:00 IST
}

TEST_CASE("RFC 3339 output and UTC instants", "[bank][civil]") {
  const LocalSeconds t = kMarch15 + 26362;  // 07:19:22 local
  CHECK(format_rfc3339(t, 7200) == "1999-03-15T07:19:22+02:00");
  CHECK(format_rfc3339(t, 0) == "1999-03-15T07:19:22Z");
  CHECK(format_rfc3339(t, -19800) == "1999-03-15T07:19:22-05:30");
  CHECK(format_rfc3339(kMarch15 + 86400, 7200) == "1999-03-16T00:00:00+02:00");
  // 07:19:22+02:00 is 05:19:22Z: 921'456'000 + 26362 - 7200 = 921'475'162 s.
  CHECK(to_utc(t, 7200) == 921'475'162LL * 1'000'000);
}
