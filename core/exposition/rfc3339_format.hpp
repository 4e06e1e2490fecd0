// Timestamps for humans and JSON consumers: RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.hpp"

namespace ccmon::core {

// "2026-11-22T09:15:02.123Z": UTC, milliseconds (truncated towards the past,
// so an instant never prints later than it is). RFC 3339 has four-digit
// years only: instants before 0000-01-01 or after 9999-12-31T23:59:59.999
// are clamped to those bounds.
std::string format_rfc3339(Timestamp t);

// "2026-03-29T03:00:00+02:00": the local time at UTC offset `utc_offset_s`
// (seconds, within +-24 h), to the second (truncated), so that characters
// 11-16 read the local clock. Years clamped as above.
std::string format_rfc3339_offset(Timestamp t, std::int32_t utc_offset_s);

}  // namespace ccmon::core
