#include "core/exposition/rfc3339_format.hpp"

#include <catch2/catch.hpp>
#include <limits>

namespace ccmon::core {
namespace {

TEST_CASE("format_rfc3339 prints UTC with milliseconds, truncating towards the past") {
  struct Case {
    Timestamp t;
    const char* text;
  };
  const Case cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {999, "1970-01-01T00:00:00.000Z"},  // 999 us: below one millisecond
      {1'000, "1970-01-01T00:00:00.001Z"},
      {-1, "1969-12-31T23:59:59.999Z"},  // floor, not towards zero
      // 2026-11-22: 56 years since 1970 with 14 leap days (1972..2024) =
      // 20454 days, + 304 (Jan..Oct) + 21 = 20779 days = 1795305600 s;
      // + 09:15:02 = 33302 s -> 1795338902 s, then .123456.
      {1'795'338'902'123'456, "2026-11-22T09:15:02.123Z"},
      // 2024-02-29T12:00:00Z: 54 years with 13 leap days = 19723 days,
      // + 31 + 28 = 19782 days = 1709164800 s, + 43200 s.
      {1'709'208'000'000'000, "2024-02-29T12:00:00.000Z"},
      // 2000-03-01: 30 years with 7 leap days = 10957 days, + 31 + 29 = 11017
      // days = 951868800 s (2000 is a leap year: divisible by 400).
      {951'868'800'000'000, "2000-03-01T00:00:00.000Z"},
      // One microsecond before: 23:59:59.999999 shows .999.
      {951'868'799'999'999, "2000-02-29T23:59:59.999Z"},
      // Clamped to the four-digit years of RFC 3339.
      {std::numeric_limits<Timestamp>::min(), "0000-01-01T00:00:00.000Z"},
      {std::numeric_limits<Timestamp>::max(), "9999-12-31T23:59:59.999Z"},
  };
  for (const Case& c : cases) {
    INFO("t = " << c.t);
    CHECK(format_rfc3339(c.t) == c.text);
  }
}

}  // namespace
}  // namespace ccmon::core
