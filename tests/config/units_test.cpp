#include "config/units.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string_view>

using ccmon::config::parse_duration;
using ccmon::config::parse_size;

TEST_CASE("durations follow Prometheus syntax", "[config][units]") {
  struct Row {
    std::string_view text;
    std::optional<std::int64_t> micros;
  };
  // Expected values in microseconds: 1 s = 1'000'000 us.
  const Row rows[] = {
      {"0", 0},
      {"0s", 0},
      {"500ms", 500'000},             // 500 * 1'000
      {"20s", 20'000'000},            // 20 * 1e6
      {"5m", 300'000'000},            // 5 * 60 s
      {"1h30m", 5'400'000'000},       // 3600 s + 1800 s = 5400 s
      {"24h", 86'400'000'000},        // 24 * 3600 s
      {"7d", 604'800'000'000},        // 7 * 86400 s
      {"1w", 604'800'000'000},        // same as 7d
      {"1y", 31'536'000'000'000},     // 365 * 86400 s
      {"1m1s1ms", 61'001'000},        // 60 s + 1 s + 1 ms
      {"2h0m5s", 7'205'000'000},      // 7200 s + 5 s
      {"720h", 2'592'000'000'000},    // 720 * 3600 s
      {"", std::nullopt},             // empty
      {"20", std::nullopt},           // unitless: seconds or minutes?
      {"7x", std::nullopt},           // unknown unit
      {"1.5s", std::nullopt},         // no fractions (use 1500ms)
      {"-5s", std::nullopt},          // no sign
      {"30m1h", std::nullopt},        // units out of order
      {"1s1s", std::nullopt},         // unit repeated
      {"5 m", std::nullopt},          // no spaces
      {"h", std::nullopt},            // no amount
      {"1ms1s", std::nullopt},        // ms must come last
      {"99999999999y", std::nullopt}  // past the int64 microsecond range
  };
  for (const Row& row : rows) {
    INFO("duration " << row.text);
    CHECK(parse_duration(row.text) == row.micros);
  }
}

TEST_CASE("sizes take IEC and SI units", "[config][units]") {
  struct Row {
    std::string_view text;
    std::optional<std::uint64_t> bytes;
  };
  const Row rows[] = {
      {"0", 0},
      {"65536", 65536},
      {"512B", 512},
      {"64KiB", 65'536},        // 64 * 1024
      {"1MiB", 1'048'576},      // 1024 * 1024
      {"8MiB", 8'388'608},      // 8 * 1'048'576
      {"2GiB", 2'147'483'648},  // 2 * 1024^3
      {"1KB", 1'000},           // SI: powers of 1000
      {"3MB", 3'000'000},
      {"", std::nullopt},
      {"MiB", std::nullopt},          // no amount
      {"8mib", std::nullopt},         // units are case-sensitive
      {"8 MiB", std::nullopt},        // no spaces
      {"1.5MiB", std::nullopt},       // no fractions
      {"-1", std::nullopt},           // no sign
      {"8M", std::nullopt},           // ambiguous unit
      {"20000000TiB", std::nullopt},  // 2e7 * 2^40 > 2^64
  };
  for (const Row& row : rows) {
    INFO("size " << row.text);
    CHECK(parse_size(row.text) == row.bytes);
  }
}
