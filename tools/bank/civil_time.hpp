// Calendar helpers for the bank records: local clock times on a date, turned
// into RFC 3339 strings and UTC instants. Pure: no clock, no time zone files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::bank {

// Local wall-clock time as seconds since 1970-01-01T00:00:00 *local*; adding
// whole days is plain arithmetic, which is what midnight crossings need.
using LocalSeconds = std::int64_t;

inline constexpr std::int64_t kSecondsPerDay = 86'400;

LocalSeconds local_midnight(std::chrono::year_month_day date);
std::chrono::year_month_day local_date(LocalSeconds t);

// "YYYY-MM-DD", "YYYY-MM", "H:MM:SS" / "HH:MM:SS" (0..23:59:59); nullopt when
// malformed or out of range.
std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view s);
std::optional<std::chrono::year_month> parse_iso_month(std::string_view s);
std::optional<int> parse_clock(std::string_view s);

// How local times map to UTC. The records carry no offset; the bank is in
// Israel. A fixed offset is the default; kIsrael1999 applies the 1999 Israeli
// summer time (+03:00 from Fri 2 April 02:00 to Fri 3 September 02:00 local).
struct OffsetRule {
  enum class Kind { kFixed, kIsrael1999 };
  Kind kind = Kind::kFixed;
  std::int32_t fixed_s = 2 * 3600;

  // Offset east of UTC, in seconds, of a local time. In the hour that is
  // repeated in September the first (summer) reading is taken; local times in
  // the skipped hour of April keep winter time.
  std::int32_t offset_at(LocalSeconds local) const;
};

// "+02:00", "-05:30", "Z", or "israel-1999".
std::optional<OffsetRule> parse_offset_rule(std::string_view s);

core::Timestamp to_utc(LocalSeconds local, std::int32_t offset_s);

// "1999-03-15T07:19:22+02:00" ("Z" for offset 0).
std::string format_rfc3339(LocalSeconds local, std::int32_t offset_s);

}  // namespace ccmon::bank
