// RFC 3339 parsing. Base instant: 2026-11-22T09:15:02Z = 1795338902 s (see
// codec_test_support.hpp for the day count, + 2 s).
#include <catch2/catch.hpp>

#include "core/codec/codec.hpp"

namespace {

using ccmon::core::parse_rfc3339;
using ccmon::core::Timestamp;

constexpr Timestamp kBase = 1'795'338'902'000'000;

TEST_CASE("valid RFC 3339 date-times", "[codec][rfc3339]") {
  struct Row {
    const char* text;
    Timestamp micros;
  };
  const Row rows[] = {
      {"2026-11-22T09:15:02Z", kBase},
      {"2026-11-22T09:15:02.123Z", kBase + 123'000},
      {"2026-11-22T09:15:02.1Z", kBase + 100'000},
      {"2026-11-22T09:15:02.000001Z", kBase + 1},
      {"2026-11-22T09:15:02.123456Z", kBase + 123'456},
      {"2026-11-22T09:15:02.123456789Z", kBase + 123'456},  // ns digits truncated
      {"2026-11-22T09:15:02.999999999Z", kBase + 999'999},
      {"2026-11-22t09:15:02z", kBase},       // lower-case T and Z
      {"2026-11-22 09:15:02Z", kBase},       // space separator
      {"2026-11-22T10:15:02+01:00", kBase},  // 10:15 local - 1 h
      {"2026-11-22T04:45:02-04:30", kBase},  // 04:45 local + 4 h 30
      {"2026-11-22T09:15:02-00:00", kBase},  // unknown local offset
      {"2026-11-23T00:15:02+15:00", kBase},  // next local day, 00:15 - 15 h
      {"2026-11-22T10:15:02.5+01:00", kBase + 500'000},
      {"1970-01-01T00:00:00Z", 0},
      // 1970..2000: 30 * 365 + 7 leap days = 10957; + 31 + 28 = 11016 days.
      {"2000-02-29T00:00:00Z", 11'016LL * 86'400 * 1'000'000},
      {"1969-12-31T23:59:59Z", -1'000'000},
      // Leap second folds into the next minute: 2017-01-01T00:00:00Z =
      // (47 * 365 + 12) days = 17167 * 86400 s.
      {"2016-12-31T23:59:60Z", 17'167LL * 86'400 * 1'000'000},
      // 9999-12-31: 253402300799 s (the largest four-digit-year instant).
      {"9999-12-31T23:59:59Z", 253'402'300'799LL * 1'000'000},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    Timestamp t = 42;
    REQUIRE(parse_rfc3339(row.text, t));
    CHECK(t == row.micros);
  }
}

TEST_CASE("malformed RFC 3339 date-times are refused", "[codec][rfc3339]") {
  const char* bad = GENERATE(
      "", "2026-11-22", "2026-11-22T09:15Z", "2026-11-22T09:15:02",  // no offset
      "2026-11-22T09:15:02.123", "2026-11-22T09:15:02.Z", "2026-11-22T09:15:02.1234567890Z",
      "2026-11-22T09:15:02,123Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
      "2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T09:60:00Z",
      "2026-11-22T09:15:61Z", "2026-11-22T09:15:02+0100", "2026-11-22T09:15:02+01",
      "2026-11-22T09:15:02+24:00", "2026-11-22T09:15:02+01:60", "2026-11-22X09:15:02Z",
      "2026-11-22T09:15:02Z ", " 2026-11-22T09:15:02Z", "2026/11/22T09:15:02Z",
      "+2026-11-22T09:15:02Z", "2026-1-22T09:15:02Z", "2026-11-22T09:15:02ZZ",
      "2026-11-22T09:15:02+01:00Z", "2026-11-22T9:15:02Z", "2026-11-22T09:15:02UTC");
  INFO('"' << bad << '"');
  Timestamp t = 42;
  CHECK_FALSE(parse_rfc3339(bad, t));
}

}  // namespace
