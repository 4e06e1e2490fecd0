// Offsets and local day starts over hand-built transition tables. Instants
// are written as UTC epoch seconds computed by hand in the comments:
// days(1970-01-01 .. 2026-01-01) = 56 * 365 + 14 leap days (1972..2024) = 20454.
#include "core/tz/time_zone.hpp"

#include <catch2/catch.hpp>

namespace {

using ccmon::core::hours;
using ccmon::core::local_day_start;
using ccmon::core::minutes;
using ccmon::core::seconds;
using ccmon::core::Timestamp;
using ccmon::core::TimeZone;

// 2026-03-29T00:00Z: day 20454 + 31 + 28 + 28 = 20541; 20541 * 86400 s.
constexpr Timestamp kMar29 = seconds(1'774'742'400);
// 2026-10-25T00:00Z: day 20454 + 273 (Jan..Sep) + 24 = 20751; 20751 * 86400 s.
constexpr Timestamp kOct25 = seconds(1'792'886'400);
// 2018-11-04T00:00Z: days to 2018 = 48 * 365 + 12 = 17532; + 304 + 3 = 17839.
constexpr Timestamp kNov4_2018 = seconds(1'541'289'600);
// 2019-02-17T00:00Z: 17532 + 365 + 31 + 16 = 17944; 17944 * 86400 s.
constexpr Timestamp kFeb17_2019 = seconds(1'550'361'600);

constexpr Timestamp kMicro = 1;

// Europe/Paris-like: CET +1h, CEST +2h from 2026-03-29 01:00Z (local 02:00
// jumps to 03:00) until 2026-10-25 01:00Z (local 03:00 falls back to 02:00).
TimeZone paris() {
  return TimeZone{"Test/Paris", 3600, {{kMar29 + hours(1), 7200}, {kOct25 + hours(1), 3600}}};
}

// America/Sao_Paulo-like, DST switching at local midnight: -3h, then -2h from
// 2018-11-04 03:00Z (local 00:00 jumps to 01:00: Nov 4 has no 00:00), back to
// -3h at 2019-02-17 02:00Z (local 00:00 falls back to Feb 16 23:00).
TimeZone sao_paulo() {
  return TimeZone{"Test/Sao_Paulo",
                  -3 * 3600,
                  {{kNov4_2018 + hours(3), -2 * 3600}, {kFeb17_2019 + hours(2), -3 * 3600}}};
}

TEST_CASE("offset_at picks the last transition at or before t", "[tz]") {
  const TimeZone tz = paris();
  struct Row {
    Timestamp t;
    std::int32_t offset;
  };
  const Row rows[] = {
      {0, 3600},                           // long before any transition
      {kMar29 + hours(1) - kMicro, 3600},  // last CET microsecond
      {kMar29 + hours(1), 7200},           // the switch instant itself
      {kMar29 + hours(12), 7200},          //
      {kOct25 + hours(1) - kMicro, 7200},  // last CEST microsecond
      {kOct25 + hours(1), 3600},           // back to CET
      {kOct25 + hours(24 * 365), 3600},    // after the last transition
  };
  for (const Row& row : rows) {
    INFO("t=" << row.t);
    CHECK(tz.offset_at(row.t) == row.offset);
  }
}

TEST_CASE("offset_at on an empty table is the initial offset", "[tz]") {
  const TimeZone utc;
  CHECK(utc.offset_at(kMar29) == 0);
  const TimeZone fixed{"Test/Plus5", 5 * 3600, {}};
  CHECK(fixed.offset_at(-1) == 5 * 3600);
}

TEST_CASE("offset_at binary search over many transitions", "[tz]") {
  // Transition i at i hours with offset i seconds; before 0: initial -1.
  TimeZone tz{"Test/Many", -1, {}};
  for (int i = 0; i < 1000; ++i) tz.transitions.push_back({hours(i), i});
  CHECK(tz.offset_at(-kMicro) == -1);
  CHECK(tz.offset_at(0) == 0);
  CHECK(tz.offset_at(hours(500) - kMicro) == 499);
  CHECK(tz.offset_at(hours(500)) == 500);
  CHECK(tz.offset_at(hours(999) + minutes(30)) == 999);
  CHECK(tz.offset_at(hours(5000)) == 999);
}

struct DayRow {
  const char* what;
  int hour;
  Timestamp now;
  Timestamp expected;
};

void check_days(const TimeZone& tz, const std::vector<DayRow>& rows) {
  for (const DayRow& row : rows) {
    INFO(row.what << " (hour " << row.hour << ", now " << row.now << ")");
    CHECK(local_day_start(tz, row.hour, row.now) == row.expected);
  }
}

TEST_CASE("local_day_start in UTC floors to the day start hour", "[tz]") {
  check_days(TimeZone{}, {
                             {"midnight day", 0, kMar29 + hours(13), kMar29},
                             {"exactly at start", 0, kMar29, kMar29},
                             {"1 us before start", 0, kMar29 - kMicro, kMar29 - hours(24)},
                             {"06:00 day, after 06:00", 6, kMar29 + hours(7), kMar29 + hours(6)},
                             {"06:00 day, before 06:00", 6, kMar29 + hours(5), kMar29 - hours(18)},
                             // 1969-12-31T23:59:59.999999Z belongs to the day from -86400 s.
                             {"before the epoch", 0, -kMicro, seconds(-86400)},
                         });
}

TEST_CASE("local_day_start across Paris-like DST, days starting at 00:00", "[tz]") {
  // Local midnights: Mar 28 00:00 +1 = Mar 27 23:00Z = kMar29 - 25h;
  // Mar 29 00:00 +1 = kMar29 - 1h; Mar 30 00:00 +2 = Mar 29 22:00Z = kMar29 + 22h
  // (Mar 29 lasts 23 h). Oct 25 00:00 +2 = kOct25 - 2h; Oct 26 00:00 +1 =
  // Oct 25 23:00Z = kOct25 + 23h (Oct 25 lasts 25 h).
  check_days(paris(),
             {
                 {"ordinary day", 0, kMar29 - hours(12), kMar29 - hours(25)},
                 {"spring day, before the jump", 0, kMar29 + minutes(30), kMar29 - hours(1)},
                 {"spring day, after the jump", 0, kMar29 + hours(21), kMar29 - hours(1)},
                 {"spring day, last us", 0, kMar29 + hours(22) - kMicro, kMar29 - hours(1)},
                 {"day after spring", 0, kMar29 + hours(22), kMar29 + hours(22)},
                 {"autumn day, before", 0, kOct25 + minutes(30), kOct25 - hours(2)},
                 {"autumn day, after", 0, kOct25 + hours(22), kOct25 - hours(2)},
                 {"day after autumn", 0, kOct25 + hours(23), kOct25 + hours(23)},
             });
}

TEST_CASE("local_day_start when the start hour falls in a gap or an overlap", "[tz]") {
  // Spring: local 02:00 on Mar 29 does not exist; the day starts at the first
  // instant after the gap, the jump itself at 01:00Z (local 03:00 +2).
  // Mar 28 02:00 +1 = Mar 28 01:00Z = kMar29 - 23h.
  // Autumn: local 02:00 on Oct 25 occurs at 00:00Z (+2) and 01:00Z (+1); the
  // day starts at the first: kOct25. Oct 24 02:00 +2 = kOct25 - 24h;
  // Oct 26 02:00 +1 = Oct 26 01:00Z = kOct25 + 25h.
  check_days(paris(),
             {
                 {"gap: day starts at the jump", 2, kMar29 + hours(1), kMar29 + hours(1)},
                 {"gap: later that day", 2, kMar29 + hours(10), kMar29 + hours(1)},
                 {"gap: 1 us before the jump", 2, kMar29 + hours(1) - kMicro, kMar29 - hours(23)},
                 {"overlap: first 02:00", 2, kOct25, kOct25},
                 {"overlap: 1 us before", 2, kOct25 - kMicro, kOct25 - hours(24)},
                 {"overlap: second 02:30", 2, kOct25 + minutes(90), kOct25},
                 {"overlap: next day", 2, kOct25 + hours(25), kOct25 + hours(25)},
                 {"overlap: 1 us before next", 2, kOct25 + hours(25) - kMicro, kOct25},
                 {"03:00 after the gap exists", 3, kMar29 + hours(2), kMar29 + hours(1)},
             });
}

TEST_CASE("local_day_start keeps a started day across a long fall-back", "[tz]") {
  // +3h until T = kOct25 (local 03:00), then +1h (local 01:00): local
  // 01:00..03:00 repeats. Day hour 2: the first 02:00 is at T - 1h (Oct 24
  // 23:00Z). At T + 30min the wall clock shows 01:30 again, yet that day has
  // begun and must not fall back to the previous one.
  const TimeZone tz{"Test/DoubleSummer", 3 * 3600, {{kOct25, 3600}}};
  check_days(tz, {
                     {"first 02:00", 2, kOct25 - hours(1), kOct25 - hours(1)},
                     {"second 01:30", 2, kOct25 + minutes(30), kOct25 - hours(1)},
                     {"second 02:30", 2, kOct25 + minutes(90), kOct25 - hours(1)},
                     // Previous day: Oct 24 02:00 +3 = Oct 23 23:00Z = kOct25 - 25h.
                     {"first 01:59", 2, kOct25 - hours(1) - kMicro, kOct25 - hours(25)},
                     // Next day: Oct 26 02:00 +1 = Oct 26 01:00Z = kOct25 + 25h.
                     {"next day", 2, kOct25 + hours(25), kOct25 + hours(25)},
                 });
}

TEST_CASE("local_day_start when a skipped start hour is shown again later", "[tz]") {
  // +0 until T = kOct25, +3h for an hour, then +0 again: at T the clock jumps
  // from Oct 25 00:00 to 03:00, skipping 02:00; at T + 1h it falls back to
  // 01:00 and shows 02:00 again at T + 2h. Oct 25 began when the clock first
  // passed 02:00, at T, and goes on through the repeated hours.
  const TimeZone tz{"Test/Blip", 0, {{kOct25, 3 * 3600}, {kOct25 + hours(1), 0}}};
  check_days(tz, {
                     // Oct 24 02:00 +0 = kOct25 - 22h.
                     {"before the jump", 2, kOct25 - kMicro, kOct25 - hours(22)},
                     {"at the jump", 2, kOct25, kOct25},
                     {"fallen back to 01:30", 2, kOct25 + minutes(90), kOct25},
                     {"02:00 shown again", 2, kOct25 + hours(2), kOct25},
                     // Oct 26 02:00 +0 = kOct25 + 26h.
                     {"next day", 2, kOct25 + hours(26), kOct25 + hours(26)},
                 });
  // +0 until T, +25h for an hour, then -24h: at T the clock jumps from Oct 25
  // 00:00 to Oct 26 01:00, passing the 01:00 starts of Oct 25 and Oct 26; at
  // T + 1h it shows Oct 24 01:00. Both days began at T; Oct 27 01:00 comes at
  // Oct 28 01:00Z = T + 73h.
  const TimeZone wide{"Test/Wide", 0, {{kOct25, 25 * 3600}, {kOct25 + hours(1), -24 * 3600}}};
  check_days(wide, {
                       // Oct 24 01:00 +0 = kOct25 - 23h.
                       {"before the jump", 1, kOct25 - kMicro, kOct25 - hours(23)},
                       {"two days begun at the jump", 1, kOct25 + minutes(30), kOct25},
                       {"clock back on Oct 24", 1, kOct25 + hours(1), kOct25},
                       {"Oct 27", 1, kOct25 + hours(73), kOct25 + hours(73)},
                   });
}

TEST_CASE("local_day_start with DST at local midnight (Sao Paulo-like)", "[tz]") {
  // Nov 3 00:00 -3 = Nov 3 03:00Z = kNov4 - 21h. Nov 4 has no 00:00: it
  // starts at the jump, kNov4 + 3h (local 01:00 -2). Nov 5 00:00 -2 =
  // Nov 5 02:00Z = kNov4 + 26h (Nov 4 lasts 23 h).
  // Feb 16 00:00 -2 = Feb 16 02:00Z = kFeb17 - 22h. Feb 17 00:00 exists once,
  // at -3 (03:00Z); local Feb 16 23:00..24:00 repeats, so Feb 16 lasts 25 h.
  check_days(
      sao_paulo(),
      {
          {"day before the gap", 0, kNov4_2018, kNov4_2018 - hours(21)},
          {"last us before the jump", 0, kNov4_2018 + hours(3) - kMicro, kNov4_2018 - hours(21)},
          {"day without 00:00", 0, kNov4_2018 + hours(3), kNov4_2018 + hours(3)},
          {"day without 00:00, later", 0, kNov4_2018 + hours(20), kNov4_2018 + hours(3)},
          {"next day", 0, kNov4_2018 + hours(26), kNov4_2018 + hours(26)},
          {"repeated 23:30, first", 0, kFeb17_2019 + minutes(90), kFeb17_2019 - hours(22)},
          {"repeated 23:30, second", 0, kFeb17_2019 + minutes(150), kFeb17_2019 - hours(22)},
          {"Feb 17 starts once", 0, kFeb17_2019 + hours(3), kFeb17_2019 + hours(3)},
      });
}

}  // namespace
