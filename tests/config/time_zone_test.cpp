// TZif loading: the system's zone files checked against offsets known by hand,
// plus synthetic files for the v1 and footer paths and for malformed data.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "config/tzif.hpp"

using ccmon::config::load_time_zone;
using ccmon::config::parse_tzif;
using ccmon::core::TimeZone;

namespace {

constexpr std::int64_t kUs = 1'000'000;

// Independent of core/tz: the offset in force at t is the one of the last
// transition at or before t.
std::int32_t offset_at(const TimeZone& tz, std::int64_t t) {
  const auto it = std::upper_bound(tz.transitions.begin(), tz.transitions.end(), t,
                                   [](std::int64_t v, const auto& tr) { return v < tr.at; });
  return it == tz.transitions.begin() ? tz.initial_offset_s : std::prev(it)->utc_offset_s;
}

TimeZone load(const std::string& name) {
  std::string error;
  auto tz = load_time_zone(name, error);
  INFO(name << ": " << error);
  REQUIRE(tz);
  CHECK(tz->name == name);
  CHECK(std::is_sorted(tz->transitions.begin(), tz->transitions.end(),
                       [](const auto& a, const auto& b) { return a.at < b.at; }));
  return *tz;
}

// Unix seconds of midnight UTC on a date, by hand: 2026-01-01 is day 20454.
constexpr std::int64_t k20260101 = 20454LL * 86400;
constexpr std::int64_t k20260115 = k20260101 + 14 * 86400;
constexpr std::int64_t k20260701 = k20260101 + 181 * 86400;  // Jan..Jun = 181 days
// 2090-01-01: 120 years after 1970 with 30 leap days (1972..2088) = 43830 days;
// 2090 is not a leap year, so July 1 is 181 days later. Past 2037, so only the
// footer rule covers it.
constexpr std::int64_t k20900115 = 43830LL * 86400 + 14 * 86400;
constexpr std::int64_t k20900701 = 43830LL * 86400 + 181 * 86400;

struct Case {
  const char* zone;
  std::int32_t january, july;  // offsets on 15 January and 1 July
  std::int64_t switch_at;      // a 2026 DST switch instant, Unix seconds
  std::int32_t before, after;  // offsets either side of it
};

}  // namespace

TEST_CASE("system zones give hand-known offsets", "[config][tz]") {
  const Case cases[] = {
      // Paris: CET +1 h, CEST +2 h; switches 2026-03-29T01:00Z = 1774746000.
      {"Europe/Paris", 3600, 7200, 1'774'746'000, 3600, 7200},
      // New York: EST -5 h, EDT -4 h; 2026-03-08T07:00Z = 1772953200.
      {"America/New_York", -18000, -14400, 1'772'953'200, -18000, -14400},
      // Jerusalem: IST +2 h, IDT +3 h; Friday 2026-03-27 02:00 local = 00:00Z
      // = 1774569600.
      {"Asia/Jerusalem", 7200, 10800, 1'774'569'600, 7200, 10800},
      // Lord Howe: +10:30 in (austral) winter, +11 in summer, so January is
      // DST; DST ends 2026-04-05 02:00 local = 2026-04-04T15:00Z = 1775314800.
      {"Australia/Lord_Howe", 39600, 37800, 1'775'314'800, 39600, 37800},
  };
  for (const Case& c : cases) {
    INFO(c.zone);
    const TimeZone tz = load(c.zone);
    CHECK(offset_at(tz, k20260115 * kUs) == c.january);
    CHECK(offset_at(tz, k20260701 * kUs) == c.july);
    CHECK(offset_at(tz, c.switch_at * kUs - 1) == c.before);
    CHECK(offset_at(tz, c.switch_at * kUs) == c.after);
    // Beyond the explicit table of any TZif file: the footer rule, expanded.
    CHECK(offset_at(tz, k20900115 * kUs) == c.january);
    CHECK(offset_at(tz, k20900701 * kUs) == c.july);
  }
}

TEST_CASE("Paris autumn switch and local mean time", "[config][tz]") {
  const TimeZone tz = load("Europe/Paris");
  // 2026-10-25T01:00Z = day 20751 * 86400 + 3600 = 1792890000.
  CHECK(offset_at(tz, 1'792'890'000 * kUs - 1) == 7200);
  CHECK(offset_at(tz, 1'792'890'000 * kUs) == 3600);
  // Before 1891 Paris kept local mean time, +0:09:21 = 561 s. 1880-01-01 is
  // 90 years (22 leap days) before the epoch: -(90 * 365 + 22) days.
  CHECK(offset_at(tz, -(90LL * 365 + 22) * 86400 * kUs) == 561);
}

TEST_CASE("UTC is built in and works without tzdata", "[config][tz]") {
  const char* saved = std::getenv("TZDIR");
  const std::string saved_value = saved ? saved : "";
  ::setenv("TZDIR", "/nonexistent-tzdata", 1);
  for (const char* name : {"UTC", "Etc/UTC"}) {
    std::string error;
    const auto tz = load_time_zone(name, error);
    REQUIRE(tz);
    CHECK(tz->initial_offset_s == 0);
    CHECK(tz->transitions.empty());
  }
  std::string error;
  CHECK_FALSE(load_time_zone("Europe/Paris", error));
  CHECK(error.find("Europe/Paris") != std::string::npos);
  if (saved) {
    ::setenv("TZDIR", saved_value.c_str(), 1);
  } else {
    ::unsetenv("TZDIR");
  }
}

TEST_CASE("unsafe or unknown zone names are rejected", "[config][tz]") {
  for (const char* name : {"", "../../etc/passwd", "/etc/localtime", "Europe/../../etc/shadow",
                           "Europe/Paris\n", "Mars/Olympus_Mons", "Europe"}) {
    INFO("zone " << name);
    std::string error;
    CHECK_FALSE(load_time_zone(name, error));
    CHECK_FALSE(error.empty());
  }
}

namespace {

// Big-endian TZif builder for synthetic files.
struct Tzif {
  std::string bytes;
  void u8(int v) { bytes += static_cast<char>(v); }
  void be(std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) u8(static_cast<int>((v >> (8 * i)) & 0xff));
  }
  // Header with counts isutcnt isstdcnt leapcnt timecnt typecnt charcnt.
  void header(char version, int leap, int time, int type, int chars) {
    bytes += "TZif";
    u8(version);
    bytes += std::string(15, '\0');
    for (int c : {0, 0, leap, time, type, chars}) be(c, 4);
  }
};

}  // namespace

TEST_CASE("TZif v1 files use their 32-bit data", "[config][tz]") {
  Tzif f;
  f.header('\0', 0, 2, 2, 8);
  f.be(1000, 4);  // transition times
  f.be(2000, 4);
  f.u8(1);  // type indices
  f.u8(0);
  f.be(3600, 4), f.u8(0), f.u8(0);  // type 0: +1 h, standard, "AAA"
  f.be(7200, 4), f.u8(1), f.u8(4);  // type 1: +2 h, DST, "BBB"
  f.bytes += std::string("AAA\0BBB\0", 8);
  std::string error;
  const auto tz = parse_tzif(f.bytes, "Test/V1", error);
  INFO(error);
  REQUIRE(tz);
  CHECK(tz->initial_offset_s == 3600);  // type 0 before the first transition
  REQUIRE(tz->transitions.size() == 2);
  CHECK(tz->transitions[0].at == 1000 * kUs);
  CHECK(tz->transitions[0].utc_offset_s == 7200);
  CHECK(tz->transitions[1].at == 2000 * kUs);
  CHECK(tz->transitions[1].utc_offset_s == 3600);
}

namespace {

// A v2 file: a minimal v1 section, then one 64-bit transition at t = 0 to CET
// and a footer rule.
std::string v2_file(const std::string& footer) {
  Tzif f;
  f.header('2', 0, 0, 1, 4);
  f.be(0, 4), f.u8(0), f.u8(0);
  f.bytes += std::string("LMT\0", 4);
  f.header('2', 0, 1, 2, 9);
  f.be(0, 8);
  f.u8(1);
  f.be(561, 4), f.u8(0), f.u8(0);   // type 0: LMT
  f.be(3600, 4), f.u8(0), f.u8(4);  // type 1: CET
  f.bytes += std::string("LMT\0CET\0\0", 9);
  f.bytes += "\n" + footer + "\n";
  return f.bytes;
}

}  // namespace

TEST_CASE("TZif v2 footer rules are expanded up to 2100", "[config][tz]") {
  std::string error;
  const auto tz = parse_tzif(v2_file("CET-1CEST,M3.5.0,M10.5.0/3"), "Test/V2", error);
  INFO(error);
  REQUIRE(tz);
  CHECK(tz->initial_offset_s == 561);
  REQUIRE_FALSE(tz->transitions.empty());
  CHECK(tz->transitions[0].at == 0);
  CHECK(tz->transitions[0].utc_offset_s == 3600);
  // 2026-03-29T01:00Z (see posix_tz_test.cpp) is one of the expanded ones.
  CHECK(offset_at(*tz, 1'774'746'000 * kUs - 1) == 3600);
  CHECK(offset_at(*tz, 1'774'746'000 * kUs) == 7200);
  // Two transitions a year, 1970..2100 inclusive: 1 + 131 * 2.
  CHECK(tz->transitions.size() == 1 + 131 * 2);
}

TEST_CASE("malformed TZif data is rejected", "[config][tz]") {
  std::string error;
  CHECK_FALSE(parse_tzif("not a zone file at all, but long enough to hold a header..........",
                         "Bad/Magic", error));
  const std::string good = v2_file("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK_FALSE(parse_tzif(good.substr(0, 60), "Bad/Truncated", error));
  CHECK_FALSE(parse_tzif(v2_file("CET-1CEST"), "Bad/Footer", error));
  CHECK(error.find("Bad/Footer") != std::string::npos);
  Tzif leap;
  leap.header('\0', 1, 0, 1, 4);
  leap.be(0, 4), leap.u8(0), leap.u8(0);
  leap.bytes += std::string("UTC\0", 4);
  leap.be(78796800, 4), leap.be(1, 4);  // one leap second record
  CHECK_FALSE(parse_tzif(leap.bytes, "right/UTC", error));
  CHECK(error.find("leap") != std::string::npos);
}

TEST_CASE("zone files are looked up under $TZDIR", "[config][tz]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ccmon_tzdir_" + std::to_string(::getpid()));
  fs::create_directories(dir / "Test");
  {
    std::ofstream out(dir / "Test" / "Zone", std::ios::binary);
    out << v2_file("CET-1CEST,M3.5.0,M10.5.0/3");
  }
  const char* saved = std::getenv("TZDIR");
  const std::string saved_value = saved ? saved : "";
  ::setenv("TZDIR", dir.c_str(), 1);
  std::string error;
  const auto tz = load_time_zone("Test/Zone", error);
  if (saved) {
    ::setenv("TZDIR", saved_value.c_str(), 1);
  } else {
    ::unsetenv("TZDIR");
  }
  fs::remove_all(dir);
  INFO(error);
  REQUIRE(tz);
  CHECK(tz->name == "Test/Zone");
  // 2026-10-25T01:00Z (1792890000, see posix_tz_test.cpp) ends CEST.
  CHECK(offset_at(*tz, 1'792'890'000 * kUs - 1) == 7200);
  CHECK(offset_at(*tz, 1'792'890'000 * kUs) == 3600);
}

namespace {

// A v1 file with one local time type of the given UTC offset.
std::string one_type_file(std::int32_t offset_s) {
  Tzif f;
  f.header('\0', 0, 0, 1, 4);
  f.be(offset_s, 4), f.u8(0), f.u8(0);
  f.bytes += std::string("XXX\0", 4);
  return f.bytes;
}

}  // namespace

// Found by fuzzing (tests/fuzz/corpus/fuzz_tzif/crash-532fedcd...): offsets of
// decades were accepted, and local_day_start then put the start of "today"
// after now. RFC 8536 section 3.2: utoff SHOULD lie in -89999..93599
// (more than -25 h, less than 26 h), which core/tz relies on.
TEST_CASE("TZif offsets beyond -25 h..+26 h are rejected", "[config][tz]") {
  std::string error;
  CHECK(parse_tzif(one_type_file(93599), "Test/East", error));
  CHECK(parse_tzif(one_type_file(-89999), "Test/West", error));
  CHECK_FALSE(parse_tzif(one_type_file(93600), "Bad/East", error));
  CHECK(error.find("Bad/East") != std::string::npos);
  CHECK_FALSE(parse_tzif(one_type_file(-90000), "Bad/West", error));
  CHECK_FALSE(parse_tzif(one_type_file(1'585'267'200), "Bad/Decades", error));

  std::ifstream in(
      std::string(CCMON_SOURCE_DIR) +
          "/tests/fuzz/corpus/fuzz_tzif/crash-532fedcd0339cf8857a2be1ee233b2151103f506",
      std::ios::binary);
  REQUIRE(in);
  const std::string crash((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_FALSE(parse_tzif(crash, "Fuzz/Crash", error));
}
